-- 5,000 destinations over 150 countries, each at its own institution in a real city
-- (accents, hyphens and several words as the names come), varied in every filterable
-- way. Loaded after `abroad seed-demo` (countries, programmes). Deterministic: the
-- same rows on every run.
BEGIN;

-- A number in [0, m) that looks random but is the same on every run, one per salt.
CREATE FUNCTION pg_temp.pick(g int, salt int, m int) RETURNS int LANGUAGE sql IMMUTABLE
    AS $$ SELECT ((hashint4(g * 97 + salt)::bigint & 2147483647) % m)::int $$;

CREATE TEMP TABLE bench_cities (country char(2) PRIMARY KEY, cities text[]);
INSERT INTO bench_cities VALUES
    ('AD', '{Andorra la Vella}'), ('AE', '{Abu Dhabi,Dubai,Sharjah}'), ('AF', '{Kabul}'),
    ('AL', '{Tirana,Durrës}'), ('AM', '{Yerevan}'), ('AO', '{Luanda}'),
    ('AR', '{Buenos Aires,Córdoba,Rosario,Mendoza}'), ('AT', '{Wien,Graz,Innsbruck,Salzburg,Linz}'),
    ('AU', '{Sydney,Melbourne,Brisbane,Perth,Adelaide}'), ('AW', '{Oranjestad}'), ('AZ', '{Baku}'),
    ('BA', '{Sarajevo,Banja Luka}'), ('BB', '{Bridgetown}'), ('BD', '{Dhaka,Chittagong}'),
    ('BE', '{Leuven,Gent,Antwerpen,Bruxelles,Liège,Louvain-la-Neuve}'), ('BF', '{Ouagadougou}'),
    ('BG', '{Sofia,Plovdiv}'), ('BH', '{Manama}'), ('BJ', '{Cotonou}'), ('BN', '{Bandar Seri Begawan}'),
    ('BO', '{La Paz,Santa Cruz de la Sierra}'),
    ('BR', '{São Paulo,Rio de Janeiro,Belo Horizonte,Porto Alegre,Florianópolis,Brasília}'),
    ('BT', '{Thimphu}'), ('BW', '{Gaborone}'), ('BY', '{Minsk}'), ('BZ', '{Belmopan}'),
    ('CA', '{Montréal,Toronto,Vancouver,Québec,Ottawa,Trois-Rivières}'), ('CD', '{Kinshasa}'),
    ('CG', '{Brazzaville}'), ('CH', '{Zürich,Genève,Lausanne,Bern,Basel,Neuchâtel}'), ('CI', '{Abidjan}'),
    ('CL', '{Santiago,Valparaíso,Concepción}'), ('CM', '{Yaoundé,Douala}'),
    ('CN', '{Beijing,Shanghai,Wuhan,Hangzhou,Guangzhou}'), ('CO', '{Bogotá,Medellín,Cali}'),
    ('CR', '{San José}'), ('CU', '{La Habana}'), ('CV', '{Praia}'), ('CW', '{Willemstad}'),
    ('CY', '{Nicosia,Limassol}'), ('CZ', '{Praha,Brno,Olomouc,Plzeň}'),
    ('DE', '{Berlin,München,Köln,Heidelberg,Freiburg im Breisgau,Göttingen,Tübingen,Düsseldorf}'),
    ('DK', '{København,Aarhus,Odense}'), ('DO', '{Santo Domingo}'), ('DZ', '{Alger,Oran}'),
    ('EC', '{Quito,Guayaquil}'), ('EE', '{Tallinn,Tartu}'), ('EG', '{Cairo,Alexandria}'),
    ('ES', '{Madrid,Barcelona,Salamanca,Granada,Sevilla,Málaga,A Coruña,Donostia-San Sebastián}'),
    ('ET', '{Addis Ababa}'), ('FI', '{Helsinki,Turku,Tampere,Oulu,Jyväskylä}'), ('FJ', '{Suva}'),
    ('FR', '{Paris,Lyon,Aix-en-Provence,Clermont-Ferrand,Saint-Étienne,Montpellier,Toulouse,Nîmes}'),
    ('GA', '{Libreville}'), ('GB', '{London,Edinburgh,Manchester,Oxford,Cambridge,Bristol,Stoke-on-Trent}'),
    ('GE', '{Tbilisi}'), ('GH', '{Accra,Kumasi}'), ('GR', '{Athína,Thessaloníki,Irákleio}'),
    ('GT', '{Ciudad de Guatemala}'), ('GY', '{Georgetown}'), ('HK', '{Hong Kong}'),
    ('HN', '{Tegucigalpa}'), ('HR', '{Zagreb,Split,Rijeka}'), ('HT', '{Port-au-Prince}'),
    ('HU', '{Budapest,Szeged,Pécs,Debrecen}'), ('ID', '{Jakarta,Yogyakarta,Bandung}'),
    ('IE', '{Dublin,Cork,Galway}'), ('IL', '{Jerusalem,Tel Aviv-Yafo,Haifa}'),
    ('IN', '{New Delhi,Mumbai,Bengaluru,Chennai}'), ('IQ', '{Baghdad,Erbil}'), ('IR', '{Tehrān,Esfahān}'),
    ('IS', '{Reykjavík,Akureyri}'), ('IT', '{Roma,Milano,Bologna,Padova,Torino,Forlì,Cagliari}'),
    ('JM', '{Kingston}'), ('JO', '{Amman}'), ('JP', '{Tokyo,Kyoto,Osaka,Sendai,Sapporo}'),
    ('KE', '{Nairobi,Mombasa}'), ('KG', '{Bishkek}'), ('KH', '{Phnom Penh}'),
    ('KR', '{Seoul,Busan,Daejeon}'), ('KW', '{Kuwait City}'), ('KZ', '{Almaty,Astana}'),
    ('LA', '{Vientiane}'), ('LB', '{Beirut}'), ('LI', '{Vaduz}'), ('LK', '{Colombo,Kandy}'),
    ('LS', '{Maseru}'), ('LT', '{Vilnius,Kaunas}'), ('LU', '{Luxembourg,Esch-sur-Alzette}'),
    ('LV', '{Rīga}'), ('MA', '{Rabat,Casablanca,Fès,Marrakech}'), ('MC', '{Monaco}'),
    ('MD', '{Chișinău}'), ('ME', '{Podgorica}'), ('MG', '{Antananarivo}'), ('MK', '{Skopje}'),
    ('ML', '{Bamako}'), ('MN', '{Ulaanbaatar}'), ('MT', '{Msida,Valletta}'), ('MU', '{Réduit}'),
    ('MW', '{Lilongwe,Blantyre}'),
    ('MX', '{Ciudad de México,Guadalajara,Monterrey,Mérida,Querétaro}'),
    ('MY', '{Kuala Lumpur,Penang}'), ('MZ', '{Maputo}'), ('NA', '{Windhoek}'),
    ('NG', '{Lagos,Ibadan}'), ('NI', '{Managua}'), ('NO', '{Oslo,Bergen,Trondheim,Tromsø}'),
    ('NP', '{Kathmandu}'), ('NZ', '{Auckland,Wellington,Christchurch,Dunedin}'), ('OM', '{Muscat}'),
    ('PA', '{Ciudad de Panamá}'), ('PE', '{Lima,Cusco,Arequipa}'), ('PG', '{Port Moresby}'),
    ('PH', '{Manila,Quezon City,Cebu}'), ('PK', '{Lahore,Karachi}'),
    ('PL', '{Warszawa,Kraków,Wrocław,Gdańsk,Łódź,Poznań}'), ('PS', '{Ramallah,Birzeit}'),
    ('PT', '{Lisboa,Porto,Coimbra,Braga,Évora}'), ('PY', '{Asunción}'), ('QA', '{Doha}'),
    ('RO', '{București,Cluj-Napoca,Iași,Timișoara}'), ('RS', '{Beograd,Novi Sad}'),
    ('RU', '{Moskva,Sankt-Peterburg}'), ('RW', '{Kigali}'), ('SA', '{Riyadh,Jeddah}'),
    ('SE', '{Stockholm,Uppsala,Lund,Göteborg,Malmö,Umeå,Linköping}'), ('SG', '{Singapore}'),
    ('SI', '{Ljubljana,Maribor}'), ('SK', '{Bratislava,Košice}'), ('SM', '{San Marino}'),
    ('SN', '{Dakar,Saint-Louis}'), ('SR', '{Paramaribo}'), ('SV', '{San Salvador}'),
    ('SY', '{Damascus}'), ('SZ', '{Mbabane}'), ('TH', '{Bangkok,Chiang Mai}'), ('TN', '{Tunis,Sfax}'),
    ('TR', '{İstanbul,Ankara,İzmir}'), ('TT', '{Port of Spain}'), ('TW', '{Taipei,Hsinchu,Tainan}'),
    ('TZ', '{Dar es Salaam,Arusha}'), ('UA', '{Kyiv,Lviv,Kharkiv}'), ('UG', '{Kampala}'),
    ('US', '{New York,Boston,Chicago,Berkeley,Ann Arbor,Austin,Seattle,Winston-Salem}'),
    ('UY', '{Montevideo}'), ('UZ', '{Tashkent,Samarqand}'), ('VN', '{Hà Nội,Hồ Chí Minh City,Đà Nẵng}'),
    ('ZA', '{Cape Town,Johannesburg,Stellenbosch,Durban}'), ('ZM', '{Lusaka}'), ('ZW', '{Harare}');

-- 150 countries: those with cities above first, then (should a code be missing from
-- the countries table) others, whose institutions are named after the country.
CREATE TEMP TABLE bench_countries AS
SELECT c.code, coalesce(b.cities, ARRAY[c.name]) AS cities, row_number() OVER (ORDER BY b.country IS NULL, c.code) - 1 AS n
FROM countries c LEFT JOIN bench_cities b ON b.country = c.code
WHERE c.code <> 'NL'
ORDER BY b.country IS NULL, c.code LIMIT 150;

-- At most 34 institutions a country, each named by a pattern of its own: unique per country.
CREATE TEMP TABLE bench_patterns (k int PRIMARY KEY, pattern text);
INSERT INTO bench_patterns
SELECT k - 1, p FROM unnest(ARRAY[
    'University of {c}', '{c} University', 'Université de {c}', 'Universidad de {c}',
    'Universität {c}', 'Technical University of {c}', '{c} Institute of Technology',
    'Medical University of {c}', '{c} School of Economics', 'Academy of Fine Arts {c}',
    'University of Applied Sciences {c}', 'Catholic University of {c}', 'Free University of {c}',
    '{c} Business School', 'Hochschule für Musik {c}', 'Universidad Politécnica de {c}',
    'École normale supérieure de {c}', 'Agricultural University of {c}', '{c} College of Music',
    'Institute of Tropical Medicine {c}', 'Università degli Studi di {c}',
    'Universidade Federal de {c}', '{c} School of Law', 'National University of {c}',
    'State University of {c}', 'Pedagogical University of {c}', '{c} Conservatory',
    'Royal Institute of Art {c}', '{c} Medical School', 'Institute of Public Health {c}',
    'Polytechnic of {c}', '{c} Graduate School of Management', 'Sciences Po {c}',
    'Faculty of Veterinary Medicine {c}', '{c} Academy of Performing Arts']) WITH ORDINALITY AS t(p, k);

CREATE TEMP TABLE bench_institutions AS
SELECT g, c.code AS country,
       c.cities[1 + pg_temp.pick(g, 1, cardinality(c.cities))] AS city,
       (SELECT pattern FROM bench_patterns WHERE k = (g / 150 + c.n::int) % 35) AS pattern
FROM generate_series(0, 4999) AS g JOIN bench_countries c ON c.n = g % 150;

INSERT INTO institutions (name, country, city, website)
SELECT replace(pattern, '{c}', city), country, city, 'https://www.example.org/partner/' || g
FROM bench_institutions
ON CONFLICT DO NOTHING; -- a demo partner of that name: its destination is added there

INSERT INTO destinations (institution_id, exchange_type, faculty, offerings, languages, chance, semesters, min_gpa, fees, considerations)
SELECT i.id,
       t.exchange_type,
       CASE WHEN t.exchange_type IN ('faculty', 'programme')
            THEN (ARRAY['LUMC', 'LAW', 'FSW', 'HUM', 'SCI'])[1 + pg_temp.pick(b.g, 3, 5)] END,
       (SELECT jsonb_agg(jsonb_build_object(
                   'level', (ARRAY['bachelor', 'master'])[1 + pg_temp.pick(b.g, 10 + o, 2)],
                   'activity', (ARRAY['semester_exchange', 'semester_exchange', 'semester_exchange', 'half_minor',
                                      'research_internship', 'junior_research_project', 'scientific_internship',
                                      'clinical_rotation', 'elective', 'summer_school', 'bachelor_internship',
                                      'winter_school', 'fieldwork'])[1 + pg_temp.pick(b.g, 20 + o, 13)],
                   'programme', (ARRAY[NULL, NULL, NULL, 'BMS', 'MED', 'VA', 'PHA', 'LAW', 'LLM', 'PSY', 'HIS',
                                       'IR', 'CS', 'LUC'])[1 + pg_temp.pick(b.g, 30 + o, 14)],
                   'note', CASE WHEN pg_temp.pick(b.g, 40 + o, 4) = 0 THEN 'selected students only' END))
          FROM generate_series(0, pg_temp.pick(b.g, 4, 3)) AS o),
       (SELECT jsonb_agg(DISTINCT jsonb_build_object('code', l, 'min_level', 'B2'))
          FROM unnest(ARRAY[
              CASE WHEN pg_temp.pick(b.g, 5, 10) < 7 THEN 'en' END,
              (ARRAY['de', 'fr', 'es', 'it', 'sv', 'pt', 'pl', 'fi', 'da', 'cs', 'en'])[1 + pg_temp.pick(b.g, 6, 11)]]) AS l
         WHERE l IS NOT NULL),
       (ARRAY['high', 'medium', 'low'])[1 + pg_temp.pick(b.g, 7, 3)],
       (ARRAY['[{"semester":"autumn","dates":null}]',
              '[{"semester":"spring","dates":null}]',
              '[{"semester":"autumn","dates":null},{"semester":"spring","dates":null}]',
              '[{"semester":"full_year","dates":null}]'])[1 + pg_temp.pick(b.g, 8, 4)]::jsonb,
       CASE WHEN pg_temp.pick(b.g, 9, 8) = 0 THEN 6.5 + pg_temp.pick(b.g, 11, 3) * 0.5 END,
       CASE WHEN pg_temp.pick(b.g, 12, 5) = 0 THEN 'Tuition waived; a service fee of about €150 a semester' END,
       s.first || CASE WHEN s.second <> s.first THEN '. ' || s.second ELSE '' END || '.'
FROM bench_institutions b
JOIN institutions i ON i.country = b.country AND lower(i.name) = lower(replace(b.pattern, '{c}', b.city))
CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.pick(b.g, 2, 20) < 12 THEN 'university_wide'
                                WHEN pg_temp.pick(b.g, 2, 20) < 17 THEN 'faculty'
                                WHEN pg_temp.pick(b.g, 2, 20) < 19 THEN 'programme'
                                ELSE 'isep' END AS exchange_type) AS t
CROSS JOIN LATERAL (SELECT c[1 + pg_temp.pick(b.g, 13, 16)] AS first, c[1 + pg_temp.pick(b.g, 14, 16)] AS second
    FROM (SELECT ARRAY[
        'Housing guaranteed for the first semester',
        'Apply early: places in the residence halls are limited',
        'Courses taught in English; the local language is not required',
        'Mandatory health insurance, about €600 a year',
        'Clinical rotations need a hepatitis-B vaccination and a certificate of good conduct',
        'Nomination through the faculty''s exchange coordinator',
        'Résumé and motivation letter in the local language',
        'Buddy programme and orientation week before term',
        'Learning agreement pre-approved by the board of examiners',
        'Laboratory safety course on arrival',
        'The visa takes up to three months; start early',
        'Tuition waived under the bilateral agreement',
        'Erasmus+ grant available within Europe',
        'Summer school in July; credits recognised as electives',
        'Research internship with a supervisor at the host laboratory',
        'Language certificate at B2 (TOEFL, IELTS, DELF or DELE) required']) AS p(c)) AS s;

COMMIT;
ANALYZE institutions;
ANALYZE destinations;
