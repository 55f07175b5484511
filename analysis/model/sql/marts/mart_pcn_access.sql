-- One row per PCN (key: pcn_code): coverage of its population and of its referred people by
-- sessions within 1 km, and its live supply. Population shares are weighted by area population.
WITH areas AS (
    SELECT
        pcn_code,
        count(*) AS areas,
        CAST(sum(population) AS BIGINT) AS population,
        CAST(sum(population) FILTER (WHERE nearest_any_km <= 1.0) AS BIGINT) AS population_within_1km_any,
        CAST(sum(population) FILTER (WHERE nearest_free_km <= 1.0) AS BIGINT) AS population_within_1km_free,
        CAST(sum(population) FILTER (WHERE nearest_suitable_km <= 1.0) AS BIGINT)
            AS population_within_1km_suitable
    FROM mart_area_access
    GROUP BY pcn_code
),

referred AS (
    SELECT
        pcn_code,
        count(DISTINCT patient_key) FILTER (WHERE nearest_suitable_km IS NOT NULL)
            AS referred_people_located,
        count(DISTINCT patient_key) FILTER (WHERE nearest_suitable_km <= 1.0)
            AS referred_people_within_1km_suitable
    FROM journeys
    GROUP BY pcn_code
),

series AS (
    SELECT
        l.pcn_code,
        count(*) AS live_series,
        count(*) FILTER (WHERE s.is_free) AS free_series,
        avg(s.sp_ready_score) AS mean_sp_ready_score
    FROM supply_series AS s
    JOIN series_located AS l USING (series_id)
    WHERE NOT s.deleted
    GROUP BY l.pcn_code
),

weekly AS (
    SELECT pcn_code, avg(occurrences) AS weekly_occurrences
    FROM mart_pcn_supply_week
    GROUP BY pcn_code
)

SELECT
    p.pcn_code,
    p.pcn_name,
    coalesce(a.areas, 0) AS areas,
    coalesce(a.population, 0) AS population,
    coalesce(a.population_within_1km_any, 0) AS population_within_1km_any,
    coalesce(a.population_within_1km_free, 0) AS population_within_1km_free,
    coalesce(a.population_within_1km_suitable, 0) AS population_within_1km_suitable,
    coalesce(a.population_within_1km_any, 0) / nullif(a.population, 0) AS share_within_1km_any,
    coalesce(a.population_within_1km_free, 0) / nullif(a.population, 0) AS share_within_1km_free,
    coalesce(a.population_within_1km_suitable, 0) / nullif(a.population, 0)
        AS share_within_1km_suitable,
    coalesce(r.referred_people_located, 0) AS referred_people_located,
    coalesce(r.referred_people_within_1km_suitable, 0) AS referred_people_within_1km_suitable,
    coalesce(r.referred_people_within_1km_suitable, 0) / nullif(r.referred_people_located, 0)
        AS referred_share_within_1km_suitable,
    coalesce(s.live_series, 0) AS live_series,
    coalesce(s.free_series, 0) AS free_series,
    s.mean_sp_ready_score,
    coalesce(w.weekly_occurrences, 0) AS weekly_occurrences,
    1000.0 * coalesce(w.weekly_occurrences, 0) / nullif(a.population, 0)
        AS weekly_occurrences_per_1000
FROM stg_pcns AS p
LEFT JOIN areas AS a USING (pcn_code)
LEFT JOIN referred AS r USING (pcn_code)
LEFT JOIN series AS s USING (pcn_code)
LEFT JOIN weekly AS w USING (pcn_code)
