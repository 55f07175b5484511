-- One row per small area, LSOA 2021 (key: lsoa_code).
-- An area without a catchment PCN is assigned to the PCN of its nearest practice.
-- pcn_assignment says where the PCN came from: 'registered_patients' when `pilot reference`
-- set it from the practice x LSOA shares (stg_catchment_shares, built before this model),
-- 'supplied' when areas.csv gave it, 'nearest_practice' otherwise.
WITH unit AS (
    -- Points on the unit sphere: the straight-line (chord) distance between two of them orders
    -- pairs exactly as the great-circle distance does, with no trigonometry per pair.
    SELECT
        lsoa_code AS code,
        NULL AS pcn_code,
        cos(radians(latitude)) * cos(radians(longitude)) AS x,
        cos(radians(latitude)) * sin(radians(longitude)) AS y,
        sin(radians(latitude)) AS z
    FROM src_areas
    WHERE pcn_code IS NULL
    UNION ALL
    SELECT
        practice_code,
        pcn_code,
        cos(radians(latitude)) * cos(radians(longitude)),
        cos(radians(latitude)) * sin(radians(longitude)),
        sin(radians(latitude))
    FROM src_practices
),

nearest AS (
    SELECT
        a.code AS lsoa_code,
        arg_min(p.pcn_code, (a.x - p.x) ** 2 + (a.y - p.y) ** 2 + (a.z - p.z) ** 2)
            AS nearest_pcn_code
    FROM unit AS a
    CROSS JOIN unit AS p
    WHERE a.pcn_code IS NULL AND p.pcn_code IS NOT NULL
    GROUP BY a.code
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
