-- One row per harvested feed (key: feed_url): what it holds, how fresh it is, orphans and
-- publisher faults, for the Data quality page.
WITH items AS (
    SELECT
        feed_url,
        count(*) AS items,
        count(*) FILTER (WHERE state = 'deleted') AS deleted_items,
        max(last_seen_at) AS last_item_seen_at
    FROM rpde_items
    GROUP BY feed_url
),

series AS (
    SELECT
        feed_url,
        count(*) FILTER (WHERE NOT deleted) AS live_series,
        median(date_diff('day', freshness_at, current_timestamp::TIMESTAMP))
            FILTER (WHERE NOT deleted) AS median_age_days,
        count(*) FILTER (WHERE NOT deleted
            AND date_diff('day', freshness_at, current_timestamp::TIMESTAMP) > 90)
            AS series_stale_90d
    FROM supply_series
    GROUP BY feed_url
),

occurrences AS (
    -- An occurrence belongs to the feed that published it: its own item for a feed
    -- occurrence, else its series' feed (embedded sessions and expanded schedules).
    SELECT
        coalesce(i.feed_url, s.feed_url) AS feed_url,
        count(*) AS occurrences,
        count(*) FILTER (WHERE o.orphan) AS orphan_occurrences,
        count(*) FILTER (WHERE o.cancelled) AS cancelled_occurrences
    FROM supply_occurrences AS o
    LEFT JOIN rpde_items AS i
        ON i.data_id = o.occurrence_id AND i.state = 'updated' AND o.source = 'feed'
    LEFT JOIN supply_series AS s ON s.series_id = o.series_id
    GROUP BY ALL
),

faults AS (
    SELECT feed_url, CAST(sum(occurrences) AS BIGINT) AS faults
    FROM rpde_faults
    GROUP BY feed_url
)

SELECT
    f.feed_url,
    f.publisher_name,
    f.dataset_url,
    f.status,
    f.last_error,
    f.pages,
    f.caught_up_at,
    f.updated_at AS harvested_at,
    coalesce(i.items, 0) AS items,
    coalesce(i.deleted_items, 0) AS deleted_items,
    coalesce(s.live_series, 0) AS live_series,
    s.median_age_days,
    coalesce(s.series_stale_90d, 0) AS series_stale_90d,
    coalesce(o.occurrences, 0) AS occurrences,
    coalesce(o.orphan_occurrences, 0) AS orphan_occurrences,
    coalesce(o.cancelled_occurrences, 0) AS cancelled_occurrences,
    coalesce(o.orphan_occurrences, 0) / nullif(o.occurrences, 0) AS orphan_share,
    coalesce(fa.faults, 0) AS faults
FROM rpde_feeds AS f
LEFT JOIN items AS i USING (feed_url)
LEFT JOIN series AS s USING (feed_url)
LEFT JOIN occurrences AS o USING (feed_url)
LEFT JOIN faults AS fa USING (feed_url)
