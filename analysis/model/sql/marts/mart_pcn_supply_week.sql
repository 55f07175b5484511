-- One row per PCN x week (key: pcn_code, week; weeks start on Monday), every PCN and every week
-- from the first to the last week with a session occurrence, zeros included. Occurrences are
-- counted at their series' place, located in the nearest area and so in that area's PCN;
-- cancelled occurrences and orphans (series unknown or deleted) are not supply.
WITH occurrences AS (
    SELECT
        l.pcn_code,
        CAST(date_trunc('week', o.start_utc) AS DATE) AS week,
        o.series_id,
        s.is_free,
        s.sp_ready_score
    FROM supply_occurrences AS o
    JOIN supply_series AS s USING (series_id)
    JOIN series_located AS l USING (series_id)
    WHERE NOT o.cancelled AND NOT o.orphan AND NOT s.deleted AND l.pcn_code IS NOT NULL
),

weeks AS (
    SELECT CAST(unnest(generate_series(min(week), max(week), INTERVAL 7 DAY)) AS DATE) AS week
    FROM occurrences
    HAVING count(*) > 0
),

population AS (
    SELECT pcn_code, CAST(sum(population) AS BIGINT) AS population FROM stg_areas GROUP BY pcn_code
),

counts AS (
    SELECT
        pcn_code,
        week,
        count(*) AS occurrences,
        count(*) FILTER (WHERE is_free) AS free_occurrences,
        count(DISTINCT series_id) AS series,
        avg(sp_ready_score) AS mean_sp_ready_score
    FROM occurrences
    GROUP BY pcn_code, week
)

SELECT
    p.pcn_code,
    p.pcn_name,
    w.week,
    coalesce(pop.population, 0) AS population,
    coalesce(c.occurrences, 0) AS occurrences,
    coalesce(c.free_occurrences, 0) AS free_occurrences,
    coalesce(c.series, 0) AS series,
    c.mean_sp_ready_score,
    CASE WHEN pop.population > 0
        THEN 1000.0 * coalesce(c.occurrences, 0) / pop.population END AS occurrences_per_1000
FROM stg_pcns AS p
CROSS JOIN weeks AS w
LEFT JOIN population AS pop USING (pcn_code)
LEFT JOIN counts AS c ON c.pcn_code = p.pcn_code AND c.week = w.week
