-- 5,000 destinations over 150 countries, each at its own institution, varied in
-- every filterable way. Loaded after `abroad seed-demo` (countries, programmes).
BEGIN;

CREATE TEMP TABLE bench_countries AS
SELECT code, row_number() OVER (ORDER BY code) - 1 AS n FROM (SELECT code FROM countries ORDER BY code LIMIT 150) c;

INSERT INTO institutions (name, country, city)
SELECT 'Bench ' || (ARRAY['University', 'Institute', 'College', 'School', 'Academy'])[1 + g % 5]
           || ' ' || g || ' of ' || (ARRAY['Science', 'Medicine', 'Law', 'Arts', 'Technology', 'Humanities'])[1 + g % 6],
       (SELECT code FROM bench_countries WHERE n = g % 150),
       'Bench City ' || (g % 900)
FROM generate_series(1, 5000) AS g;

INSERT INTO destinations (institution_id, exchange_type, faculty, offerings, languages, chance, semesters, min_gpa, considerations)
SELECT i.id,
       CASE WHEN g % 4 = 0 THEN 'faculty' WHEN g % 17 = 0 THEN 'isep' ELSE 'university_wide' END,
       CASE WHEN g % 4 = 0 THEN (ARRAY['LUMC', 'LAW', 'FSW'])[1 + g % 3] END,
       jsonb_build_array(
           jsonb_build_object(
               'level', CASE WHEN g % 2 = 0 THEN 'bachelor' ELSE 'master' END,
               'activity', (ARRAY['semester_exchange', 'half_minor', 'research_internship', 'junior_research_project',
                                  'scientific_internship', 'clinical_rotation', 'summer_school'])[1 + g % 7],
               'programme', CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['BMS', 'MED', 'LAW', 'PSY', 'CS'])[1 + g % 5] END,
               'note', NULL),
           jsonb_build_object(
               'level', CASE WHEN g % 2 = 0 THEN 'master' ELSE 'bachelor' END,
               'activity', 'semester_exchange',
               'programme', CASE WHEN g % 5 = 0 THEN 'BMS' END,
               'note', NULL)),
       jsonb_build_array(jsonb_build_object('code', (ARRAY['en', 'de', 'fr', 'es', 'it', 'sv'])[1 + g % 6], 'min_level', 'B2')),
       (ARRAY['high', 'medium', 'low'])[1 + g % 3],
       (ARRAY['[{"semester":"autumn","dates":null}]',
              '[{"semester":"spring","dates":null}]',
              '[{"semester":"autumn","dates":null},{"semester":"spring","dates":null}]',
              '[{"semester":"full_year","dates":null}]'])[1 + g % 4]::jsonb,
       CASE WHEN g % 17 = 0 THEN 6.5 END,
       'Bench considerations for agreement ' || g || ': ' || (ARRAY['housing guaranteed', 'apply early', 'courses in English', 'mandatory insurance'])[1 + g % 4]
FROM (SELECT id, row_number() OVER (ORDER BY name) AS g FROM institutions WHERE name LIKE 'Bench %') AS i;

COMMIT;
ANALYZE institutions;
ANALYZE destinations;
