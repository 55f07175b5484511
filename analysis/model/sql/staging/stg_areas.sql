-- One row per small area, LSOA 2021 (key: lsoa_code).
-- An area without a catchment PCN is assigned to the PCN of its nearest practice.
-- pcn_assignment says where the PCN came from: 'registered_patients' when `pilot reference`
-- set it from the practice x LSOA shares (stg_catchment_shares, built before this model),
-- 'supplied' when areas.csv gave it, 'nearest_practice' otherwise.
WITH nearest AS (
    SELECT
        a.lsoa_code,
        arg_min(p.pcn_code, great_circle_km(a.latitude, a.longitude, p.latitude, p.longitude))
            AS nearest_pcn_code
    FROM src_areas AS a
    CROSS JOIN src_practices AS p
    WHERE a.pcn_code IS NULL
    GROUP BY a.lsoa_code
)
SELECT
    a.lsoa_code,
    a.lsoa_name,
    a.latitude,
    a.longitude,
    a.population,
    a.imd_decile,
    CAST(ceil(a.imd_decile / 2.0) AS INTEGER) AS imd_quintile,
    coalesce(a.pcn_code, n.nearest_pcn_code) AS pcn_code,
    CASE
        WHEN a.pcn_code IS NULL THEN 'nearest_practice'
        WHEN a.lsoa_code IN (SELECT lsoa_code FROM src_catchment_shares) THEN 'registered_patients'
        ELSE 'supplied'
    END AS pcn_assignment
FROM src_areas AS a
LEFT JOIN nearest AS n USING (lsoa_code)
