-- One row per PCN x calendar month (key: pcn_code, month), every PCN and every month from the
-- first to the last referral month, zeros included. Referrals are counted in the month of their
-- referral_date; the later funnel stages belong to that same referral month (a cohort view).
WITH bounds AS (
    SELECT min(referral_month) AS first_month, max(referral_month) AS last_month FROM journeys
),

months AS (
    SELECT CAST(unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS DATE) AS month
    FROM bounds
    WHERE first_month IS NOT NULL
),

counts AS (
    SELECT
        pcn_code,
        referral_month AS month,
        count(*) AS referrals,
        count(*) FILTER (WHERE contacted) AS contacted,
        count(*) FILTER (WHERE first_attended) AS first_attended,
        count(*) FILTER (WHERE retained_4w) AS retained_4w,
        count(*) FILTER (WHERE retained_12w) AS retained_12w,
        count(*) FILTER (WHERE retained_26w) AS retained_26w,
        count(*) FILTER (WHERE followed_up_4w) AS followed_up_4w,
        count(*) FILTER (WHERE followed_up_12w) AS followed_up_12w,
        count(*) FILTER (WHERE followed_up_26w) AS followed_up_26w,
        CAST(sum(days_to_first_attendance) AS BIGINT) AS days_to_first_attendance_total
    FROM journeys
    GROUP BY pcn_code, referral_month
)

SELECT
    p.pcn_code,
    p.pcn_name,
    m.month,
    p.registered_patients,
    coalesce(c.referrals, 0) AS referrals,
    coalesce(c.contacted, 0) AS contacted,
    coalesce(c.first_attended, 0) AS first_attended,
    coalesce(c.retained_4w, 0) AS retained_4w,
    coalesce(c.retained_12w, 0) AS retained_12w,
    coalesce(c.retained_26w, 0) AS retained_26w,
    coalesce(c.followed_up_4w, 0) AS followed_up_4w,
    coalesce(c.followed_up_12w, 0) AS followed_up_12w,
    coalesce(c.followed_up_26w, 0) AS followed_up_26w,
    coalesce(c.days_to_first_attendance_total, 0) AS days_to_first_attendance_total
FROM stg_pcns AS p
CROSS JOIN months AS m
LEFT JOIN counts AS c ON c.pcn_code = p.pcn_code AND c.month = m.month
