-- One row per GP practice (key: practice_code). Rename/cast only.
SELECT
    practice_code,
    practice_name,
    pcn_code,
    pcn_name,
    sub_icb_code,
    latitude,
    longitude,
    registered_patients
FROM src_practices
