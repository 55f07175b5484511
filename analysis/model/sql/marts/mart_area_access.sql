-- One row per small area (key: lsoa_code): where people live, how many were referred, and how
-- far the nearest live, free and suitable sessions are (great-circle km from the centroid).
WITH referred AS (
    SELECT lsoa_code, count(*) AS referrals, count(DISTINCT patient_key) AS referred_people
    FROM journeys
    WHERE lsoa_code IS NOT NULL
    GROUP BY lsoa_code
)

SELECT
    a.lsoa_code,
    a.lsoa_name,
    a.pcn_code,
    a.latitude,
    a.longitude,
    a.population,
    a.imd_decile,
    a.imd_quintile,
    coalesce(r.referrals, 0) AS referrals,
    coalesce(r.referred_people, 0) AS referred_people,
    acc.nearest_any_km,
    acc.nearest_free_km,
    acc.nearest_suitable_km
FROM stg_areas AS a
JOIN area_access AS acc USING (lsoa_code)
LEFT JOIN referred AS r USING (lsoa_code)
