-- One row per Primary Care Network (key: pcn_code), with its registered list size.
SELECT
    pcn_code,
    min(pcn_name) AS pcn_name,
    count(*) AS practices,
    sum(registered_patients) AS registered_patients
FROM src_practices
GROUP BY pcn_code
