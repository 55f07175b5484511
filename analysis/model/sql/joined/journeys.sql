-- One row per referral journey (key: referral_id): the referral with its practice and PCN, the
-- area where the person lives (with its access to supply), the session series referred into,
-- and follow-ups pivoted to weeks 0 (baseline), 4, 12 and 26.
WITH followups AS (
    SELECT
        referral_id,
        bool_or(followup_week = 0) AS baseline_recorded,
        bool_or(followup_week = 4) AS has_followup_4w,
        bool_or(followup_week = 12) AS has_followup_12w,
        bool_or(followup_week = 26) AS has_followup_26w,
        any_value(still_attending) FILTER (WHERE followup_week = 4) AS still_attending_4w,
        any_value(still_attending) FILTER (WHERE followup_week = 12) AS still_attending_12w,
        any_value(still_attending) FILTER (WHERE followup_week = 26) AS still_attending_26w,
        any_value(swemwbs_metric) FILTER (WHERE followup_week = 0) AS swemwbs_0w,
        any_value(swemwbs_metric) FILTER (WHERE followup_week = 4) AS swemwbs_4w,
        any_value(swemwbs_metric) FILTER (WHERE followup_week = 12) AS swemwbs_12w,
        any_value(swemwbs_metric) FILTER (WHERE followup_week = 26) AS swemwbs_26w,
        any_value(sipam_days) FILTER (WHERE followup_week = 0) AS sipam_days_0w,
        any_value(sipam_days) FILTER (WHERE followup_week = 4) AS sipam_days_4w,
        any_value(sipam_days) FILTER (WHERE followup_week = 12) AS sipam_days_12w,
        any_value(sipam_days) FILTER (WHERE followup_week = 26) AS sipam_days_26w,
        min(followup_week) FILTER (WHERE followup_week > 0 AND still_attending = false)
            AS first_stopped_week,
        max(followup_week) FILTER (WHERE followup_week > 0 AND still_attending = true)
            AS last_attending_week
    FROM stg_followups
    GROUP BY referral_id
),

survival AS (
    -- Disengagement: origin = first attendance; event = the first follow-up saying "stopped",
    -- timed at its last_attended_date when given, else its follow-up date; otherwise censored
    -- at the last follow-up saying "still attending".
    SELECT
        f.referral_id,
        f.first_stopped_week IS NOT NULL AS disengaged,
        CASE
            WHEN f.first_stopped_week IS NOT NULL
                THEN coalesce(stopped.last_attended_date, stopped.followup_date)
            ELSE attending.followup_date
        END AS retention_end_date
    FROM followups AS f
    LEFT JOIN stg_followups AS stopped
        ON stopped.referral_id = f.referral_id AND stopped.followup_week = f.first_stopped_week
    LEFT JOIN stg_followups AS attending
        ON attending.referral_id = f.referral_id AND attending.followup_week = f.last_attending_week
    WHERE f.first_stopped_week IS NOT NULL OR f.last_attending_week IS NOT NULL
)

SELECT
    r.referral_id,
    r.patient_key,
    r.referral_date,
    r.referral_month,
    r.practice_code,
    p.pcn_code,
    p.pcn_name,
    r.referral_source,
    r.link_worker_id,
    r.age_band,
    r.sex,
    r.ethnicity,
    r.lsoa_code,
    a.imd_decile,
    a.imd_quintile,
    a.latitude AS home_latitude,
    a.longitude AS home_longitude,
    r.conditions,
    r.opportunity_id,
    r.activity_id,
    ss.latitude AS session_latitude,
    ss.longitude AS session_longitude,
    ss.is_free AS session_is_free,
    ss.activity_group AS session_activity_group,
    great_circle_km(a.latitude, a.longitude, ss.latitude, ss.longitude) AS distance_to_session_km,
    acc.nearest_free_km,
    acc.nearest_suitable_km,
    r.status,
    r.contacted_date,
    r.first_attended_date,
    r.closed_date,
    -- A first attendance implies contact, whatever the recorded status says.
    (r.contacted_date IS NOT NULL OR r.first_attended_date IS NOT NULL
        OR r.status NOT IN ('referred', 'unable_to_contact')) AS contacted,
    r.first_attended_date IS NOT NULL AS first_attended,
    date_diff('day', r.referral_date, r.first_attended_date) AS days_to_first_attendance,
    coalesce(f.baseline_recorded, false) AS baseline_recorded,
    (r.first_attended_date IS NOT NULL AND coalesce(f.has_followup_4w, false)) AS followed_up_4w,
    (r.first_attended_date IS NOT NULL AND coalesce(f.has_followup_12w, false)) AS followed_up_12w,
    (r.first_attended_date IS NOT NULL AND coalesce(f.has_followup_26w, false)) AS followed_up_26w,
    (r.first_attended_date IS NOT NULL AND coalesce(f.still_attending_4w, false)) AS retained_4w,
    (r.first_attended_date IS NOT NULL AND coalesce(f.still_attending_12w, false)) AS retained_12w,
    (r.first_attended_date IS NOT NULL AND coalesce(f.still_attending_26w, false)) AS retained_26w,
    f.swemwbs_0w,
    f.swemwbs_4w,
    f.swemwbs_12w,
    f.swemwbs_26w,
    f.sipam_days_0w,
    f.sipam_days_4w,
    f.sipam_days_12w,
    f.sipam_days_26w,
    CASE WHEN r.first_attended_date IS NOT NULL THEN s.disengaged END AS disengaged,
    CASE
        WHEN r.first_attended_date IS NOT NULL AND s.retention_end_date IS NOT NULL
            THEN greatest(0, date_diff('day', r.first_attended_date, s.retention_end_date))
    END AS retention_days
FROM stg_referrals AS r
JOIN stg_practices AS p USING (practice_code)
LEFT JOIN stg_areas AS a USING (lsoa_code)
LEFT JOIN area_access AS acc USING (lsoa_code)
LEFT JOIN supply_series AS ss ON ss.series_id = r.opportunity_id
LEFT JOIN followups AS f USING (referral_id)
LEFT JOIN survival AS s USING (referral_id)
