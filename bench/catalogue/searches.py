"""The searches the catalogue benchmark rotates (bench/catalogue/run): filters alone
and combined, free text (words, prefixes, two words, accents, hyphens), many
countries. Requests each once, refuses any answer but 200, writes the paths one a
line and prints how many are distinct, how many find something, how many fill a page.

    python3 searches.py BASE_URL TOKEN OUT_FILE COUNTRY,COUNTRY,...
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

LEVELS = ["bachelor", "master"]
EXCHANGE_TYPES = ["university_wide", "faculty", "programme", "isep"]
LANGUAGES = ["en", "de", "fr", "es", "it", "sv", "pt", "pl"]
PROGRAMMES = ["BMS", "MED", "VA", "PHA", "LAW", "LLM", "PSY", "HIS", "IR", "CS", "LUC"]
ACTIVITIES = ["semester_exchange", "half_minor", "research_internship", "junior_research_project",
              "scientific_internship", "clinical_rotation", "elective", "summer_school"]
CHANCES = ["high", "medium", "low"]
SEMESTERS = ["autumn", "spring", "full_year"]
WORDS = [
    # single words and prefixes
    "university", "medicine", "medical", "housing", "insurance", "research", "music", "law",
    "univ", "med", "tech", "poly", "conserv", "erasmus", "visa", "toefl",
    # two words
    "university lyon", "housing guaranteed", "summer school", "apply early", "school economics",
    "business london", "fine arts", "public health", "tropical medicine", "united states",
    # accents (as typed, and without them), hyphens, cities and countries
    "zürich", "zurich", "kraków", "krakow", "são paulo", "université", "universite", "bogotá",
    "malmö", "école normale", "łódź", "göteborg", "saint-étienne", "aix-en-provence",
    "cluj-napoca", "résumé", "münchen", "sweden", "germany", "brasil", "tel aviv",
]


def path(**filters):
    return "/api/v1/destinations" + ("?" + urllib.parse.urlencode(filters) if filters else "")


def searches(countries):
    paths = [path()]
    # Each filter alone.
    paths += [path(exchange_type=v) for v in EXCHANGE_TYPES]
    paths += [path(level=v) for v in LEVELS]
    paths += [path(language=v) for v in LANGUAGES]
    paths += [path(programme=v) for v in PROGRAMMES]
    paths += [path(activity=v) for v in ACTIVITIES]
    paths += [path(chance=v) for v in CHANCES]
    paths += [path(semester=v) for v in SEMESTERS]
    paths += [path(country=c) for c in countries[:30]]
    # Combined: what a student picks, two to five filters at a time.
    for i in range(45):
        f = {"level": LEVELS[i % 2], "programme": PROGRAMMES[i % len(PROGRAMMES)]}
        if i % 3 != 1:
            f["semester"] = SEMESTERS[i % 3]
        if i % 4 == 0:
            f["language"] = LANGUAGES[i // 4 % len(LANGUAGES)]
        if i % 5 == 2:
            f["chance"] = CHANCES[i % 3]
        if i % 6 == 3:
            f["activity"] = ACTIVITIES[i // 6 % len(ACTIVITIES)]
        if i % 7 == 4:
            f["exchange_type"] = EXCHANGE_TYPES[i % 4]
        if i % 8 == 5:
            f["country"] = countries[i % len(countries)]
        paths.append(path(**f))
    # Free text, alone and with a filter.
    paths += [path(q=w) for w in WORDS]
    for i, w in enumerate(WORDS[:20]):
        extra = [{"level": LEVELS[i % 2]}, {"semester": SEMESTERS[i % 3]}, {"language": "en"},
                 {"chance": CHANCES[i % 3]}][i % 4]
        paths.append(path(q=w, **extra))
    return paths


def main():
    base, token, out, countries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
    paths = list(dict.fromkeys(searches(countries)))
    found = full = 0
    for p in paths:
        request = urllib.request.Request(base + p, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request) as response:
                items = len(json.load(response)["items"])
        except urllib.error.HTTPError as e:
            sys.exit(f"GET {p} answered {e.code}: {e.read()[:300]!r}")
        found += items > 0
        full += items == 50
    with open(out, "w") as f:
        f.write("\n".join(paths) + "\n")
    print(f"{len(paths)} distinct searches, all 200: {found} find something, {full} fill a 50-item page")


if __name__ == "__main__":
    main()
