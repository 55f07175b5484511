-- One row per referral (key: referral_id). The NHS number was replaced at import by patient_key.
SELECT
    referral_id,
    patient_key,
    referral_date,
    CAST(date_trunc('month', referral_date) AS DATE) AS referral_month,
    practice_code,
    referral_source,
    link_worker_id,
    age_band,
    sex,
    ethnicity,
    lsoa_code,
    CASE WHEN conditions IS NULL THEN []::VARCHAR[] ELSE string_split(conditions, ';') END
        AS conditions,
    opportunity_id,
    activity_id,
    contacted_date,
    first_attended_date,
    status,
    closed_date
FROM src_referrals
