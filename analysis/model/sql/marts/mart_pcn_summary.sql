-- Counts for mart_pcn_summary, one row per PCN (key: pcn_code) over the whole data window: the
-- first to the last referral date held. Proportions and rates with their confidence intervals
-- are added in Python (analysis.model.pcn_summary) with the project's indicator functions.
WITH bounds AS (
    SELECT
        min(referral_date) AS period_start,
        max(referral_date) AS period_end,
        greatest(max(referral_date), (SELECT max(followup_date) FROM stg_followups)) AS as_of
    FROM journeys
),

counts AS (
    SELECT
        j.pcn_code,
        count(*) AS referrals,
        count(*) FILTER (WHERE j.contacted) AS contacted,
        count(*) FILTER (WHERE j.first_attended) AS first_attended,
        count(*) FILTER (WHERE j.followed_up_4w) AS followed_up_4w,
        count(*) FILTER (WHERE j.followed_up_12w) AS followed_up_12w,
        count(*) FILTER (WHERE j.followed_up_26w) AS followed_up_26w,
        count(*) FILTER (WHERE j.retained_4w) AS retained_4w,
        count(*) FILTER (WHERE j.retained_12w) AS retained_12w,
        count(*) FILTER (WHERE j.retained_26w) AS retained_26w,
        count(*) FILTER (WHERE j.first_attended AND j.first_attended_date + 28 <= b.as_of)
            AS starters_due_4w,
        count(*) FILTER (WHERE j.first_attended AND j.first_attended_date + 84 <= b.as_of)
            AS starters_due_12w,
        count(*) FILTER (WHERE j.first_attended AND j.first_attended_date + 182 <= b.as_of)
            AS starters_due_26w,
        count(*) FILTER (WHERE j.followed_up_4w AND j.first_attended_date + 28 <= b.as_of)
            AS followed_up_due_4w,
        count(*) FILTER (WHERE j.followed_up_12w AND j.first_attended_date + 84 <= b.as_of)
            AS followed_up_due_12w,
        count(*) FILTER (WHERE j.followed_up_26w AND j.first_attended_date + 182 <= b.as_of)
            AS followed_up_due_26w,
        count(*) FILTER (WHERE j.retained_4w AND j.first_attended_date + 28 <= b.as_of)
            AS retained_due_4w,
        count(*) FILTER (WHERE j.retained_12w AND j.first_attended_date + 84 <= b.as_of)
            AS retained_due_12w,
        count(*) FILTER (WHERE j.retained_26w AND j.first_attended_date + 182 <= b.as_of)
            AS retained_due_26w,
        quantile_cont(j.days_to_first_attendance, 0.5) AS days_to_first_attendance_median,
        quantile_cont(j.days_to_first_attendance, 0.25) AS days_to_first_attendance_q1,
        quantile_cont(j.days_to_first_attendance, 0.75) AS days_to_first_attendance_q3
    FROM journeys AS j
    CROSS JOIN bounds AS b
    GROUP BY j.pcn_code
)

SELECT
    a.pcn_code,
    a.pcn_name,
    a.arm,
    a.pilot_name,
    a.go_live,
    b.period_start,
    b.period_end,
    b.as_of,
    (date_diff('day', b.period_start, b.period_end) + 1) / 365.25 AS years,
    CAST(p.registered_patients AS BIGINT) AS registered_patients,
    p.registered_patients * (date_diff('day', b.period_start, b.period_end) + 1) / 365.25
        AS patient_years,
    coalesce(c.referrals, 0) AS referrals,
    coalesce(c.contacted, 0) AS contacted,
    coalesce(c.first_attended, 0) AS first_attended,
    coalesce(c.followed_up_4w, 0) AS followed_up_4w,
    coalesce(c.followed_up_12w, 0) AS followed_up_12w,
    coalesce(c.followed_up_26w, 0) AS followed_up_26w,
    coalesce(c.retained_4w, 0) AS retained_4w,
    coalesce(c.retained_12w, 0) AS retained_12w,
    coalesce(c.retained_26w, 0) AS retained_26w,
    coalesce(c.starters_due_4w, 0) AS starters_due_4w,
    coalesce(c.starters_due_12w, 0) AS starters_due_12w,
    coalesce(c.starters_due_26w, 0) AS starters_due_26w,
    coalesce(c.followed_up_due_4w, 0) AS followed_up_due_4w,
    coalesce(c.followed_up_due_12w, 0) AS followed_up_due_12w,
    coalesce(c.followed_up_due_26w, 0) AS followed_up_due_26w,
    coalesce(c.retained_due_4w, 0) AS retained_due_4w,
    coalesce(c.retained_due_12w, 0) AS retained_due_12w,
    coalesce(c.retained_due_26w, 0) AS retained_due_26w,
    c.days_to_first_attendance_median,
    c.days_to_first_attendance_q1,
    c.days_to_first_attendance_q3,
    acc.weekly_occurrences_per_1000,
    acc.share_within_1km_suitable,
    acc.referred_share_within_1km_suitable
FROM pcn_arms AS a
JOIN stg_pcns AS p USING (pcn_code)
CROSS JOIN bounds AS b
LEFT JOIN counts AS c USING (pcn_code)
LEFT JOIN mart_pcn_access AS acc USING (pcn_code)
WHERE b.period_start IS NOT NULL
