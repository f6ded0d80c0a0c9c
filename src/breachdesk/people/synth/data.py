"""Reference tables for the synthetic affected-people generator (`synth.py`).

Population, ZIP prefixes and area codes come from the sources cited on each table. Name
lists, street names, domains and the international mix are illustrative: chosen to look
like a real customer list, not measured.
"""

from __future__ import annotations

from typing import NamedTuple


def _words_of(text: str) -> list[str]:
    return text.split()


# US Census Bureau, 2020 Census resident population (April 1, 2020) of the 50 states and
# DC (apportionment release, Table 2; they sum to 331,449,281) and of Puerto Rico,
# https://www.census.gov/data/tables/2020/dec/2020-apportionment-data.html; the four
# Island Areas from the 2020 Island Areas Censuses,
# https://www.census.gov/library/stories/2021/10/first-2020-census-united-states-island-areas-data-released-today.html
US_POPULATION_2020 = {
    "AL": 5_024_279,
    "AK": 733_391,
    "AZ": 7_151_502,
    "AR": 3_011_524,
    "CA": 39_538_223,
    "CO": 5_773_714,
    "CT": 3_605_944,
    "DE": 989_948,
    "DC": 689_545,
    "FL": 21_538_187,
    "GA": 10_711_908,
    "HI": 1_455_271,
    "ID": 1_839_106,
    "IL": 12_812_508,
    "IN": 6_785_528,
    "IA": 3_190_369,
    "KS": 2_937_880,
    "KY": 4_505_836,
    "LA": 4_657_757,
    "ME": 1_362_359,
    "MD": 6_177_224,
    "MA": 7_029_917,
    "MI": 10_077_331,
    "MN": 5_706_494,
    "MS": 2_961_279,
    "MO": 6_154_913,
    "MT": 1_084_225,
    "NE": 1_961_504,
    "NV": 3_104_614,
    "NH": 1_377_529,
    "NJ": 9_288_994,
    "NM": 2_117_522,
    "NY": 20_201_249,
    "NC": 10_439_388,
    "ND": 779_094,
    "OH": 11_799_448,
    "OK": 3_959_353,
    "OR": 4_237_256,
    "PA": 13_002_700,
    "RI": 1_097_379,
    "SC": 5_118_425,
    "SD": 886_667,
    "TN": 6_910_840,
    "TX": 29_145_505,
    "UT": 3_271_616,
    "VT": 643_077,
    "VA": 8_631_393,
    "WA": 7_705_281,
    "WV": 1_793_716,
    "WI": 5_893_718,
    "WY": 576_851,
    "PR": 3_285_874,
    "GU": 153_836,
    "VI": 87_146,
    "AS": 49_710,
    "MP": 47_329,
}

# Five-digit ZIP ranges per state: whole 3-digit prefixes, as assigned in USPS DMM L002
# "3-Digit ZIP Code Prefix Matrix" (https://pe.usps.com/text/dmm300/L002.htm), restricted
# to prefixes where most ZIPs belong to that state in the `zipcodes` 3.0.0 package (so an
# importer checking ZIP against state agrees). Prefixes that hold a ZIP of another state
# (06390 Fishers Island NY under CT's 063; 96799 American Samoa under HI's 967...) are left
# out, and territories sharing a prefix get their own ZIPs only (AS 96799, MP 96950-96952).
US_ZIP_RANGES = {
    "AL": "350-352 354-369",
    "AK": "995-999",
    "AZ": "850-853 855-857 859-860 863-865",
    "AR": "716-725 727-729",
    "CA": "900-908 910-928 930-961",
    "CO": "800-816",
    "CT": "060-062 064-069",
    "DE": "197-199",
    "DC": "200 202-204",
    "FL": "320-339 341-342 344 346-347 349",
    "GA": "300-319 398-399",
    "HI": "968",
    "ID": "832-833 835-838",
    "IL": "600-620 622-629",
    "IN": "460-479",
    "IA": "500-516 520-528",
    "KS": "660-662 664-679",
    "KY": "400-418 420-427",
    "LA": "700-701 703-708 710-714",
    "ME": "039-049",
    "MD": "206-212 214-219",
    "MA": "010-027",
    "MI": "480-499",
    "MN": "550-551 553-567",
    "MS": "386-397",
    "MO": "630-631 633-641 644-658",
    "MT": "590-599",
    "NE": "680-681 683-693",
    "NV": "889-891 893-895 897-898",
    "NH": "030-038",
    "NJ": "070-089",
    "NM": "870-871 873-884",
    "NY": "100-149",
    "NC": "270-289",
    "ND": "580-588",
    "OH": "430-459",
    "OK": "730-731 734-738 740-741 743-749",
    "OR": "970-979",
    "PA": "150-196",
    "RI": "028-029",
    "SC": "290-299",
    "SD": "570-577",
    "TN": "370-385",
    "TX": "750-770 772-799",
    "UT": "840-847",
    "VT": "050-054 056-059",
    "VA": "220-246",
    "WA": "980-986 988-994",
    "WV": "247-268",
    "WI": "530-532 534-535 537-549",
    "WY": "820-831",
    "PR": "006-007 009",
    "GU": "96910-96932",
    "VI": "00801-00851",
    "AS": "96799",
    "MP": "96950-96952",
}

# Area codes in service per state and territory, from the North American Numbering Plan
# Administrator's list of geographic NPAs (https://nationalnanpa.com/area_codes/index.html);
# a selection for the large states. Numbers use the exchange 555 and lines 0100-0199,
# which NANPA reserves for fiction (https://nationalnanpa.com/number_resource_info/555_numbers.html).
US_AREA_CODES = {
    "AL": "205 251 256 334 938",
    "AK": "907",
    "AZ": "480 520 602 623 928",
    "AR": "479 501 870",
    "CA": "209 213 310 323 408 415 510 530 559 562 619 626 650 661 707 714 760 805 818 "
    "831 858 909 916 925 949 951",
    "CO": "303 719 720 970",
    "CT": "203 475 860 959",
    "DE": "302",
    "DC": "202",
    "FL": "239 305 321 352 386 407 561 727 754 772 786 813 850 863 904 941 954",
    "GA": "229 404 470 478 678 706 762 770 912",
    "HI": "808",
    "ID": "208 986",
    "IL": "217 224 309 312 331 618 630 708 773 779 815 847 872",
    "IN": "219 260 317 463 574 765 812 930",
    "IA": "319 515 563 641 712",
    "KS": "316 620 785 913",
    "KY": "270 364 502 606 859",
    "LA": "225 318 337 504 985",
    "ME": "207",
    "MD": "240 301 410 443 667",
    "MA": "339 351 413 508 617 774 781 857 978",
    "MI": "231 248 269 313 517 586 616 734 810 906 947 989",
    "MN": "218 320 507 612 651 763 952",
    "MS": "228 601 662 769",
    "MO": "314 417 573 636 660 816",
    "MT": "406",
    "NE": "308 402 531",
    "NV": "702 725 775",
    "NH": "603",
    "NJ": "201 551 609 640 732 848 856 862 908 973",
    "NM": "505 575",
    "NY": "212 315 332 347 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934",
    "NC": "252 336 704 743 828 910 919 980 984",
    "ND": "701",
    "OH": "216 220 234 330 380 419 440 513 567 614 740 937",
    "OK": "405 539 580 918",
    "OR": "458 503 541 971",
    "PA": "215 223 267 272 412 445 484 570 610 717 724 814 878",
    "RI": "401",
    "SC": "803 839 843 854 864",
    "SD": "605",
    "TN": "423 615 629 731 865 901 931",
    "TX": "210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 "
    "832 903 915 936 940 956 972 979",
    "UT": "385 435 801",
    "VT": "802",
    "VA": "276 434 540 571 703 757 804",
    "WA": "206 253 360 425 509 564",
    "WV": "304 681",
    "WI": "262 414 534 608 715 920",
    "WY": "307",
    "PR": "787 939",
    "GU": "671",
    "VI": "340",
    "AS": "684",
    "MP": "670",
}

# A few large places per state: US Census Bureau, City and Town Population Totals,
# https://www.census.gov/data/tables/time-series/demo/popest/2020s-total-cities-and-towns.html
# (Island Areas: 2020 Island Areas Censuses). Not every ZIP matches its city.
US_CITIES = {
    "AL": "Birmingham|Montgomery|Huntsville|Mobile|Tuscaloosa",
    "AK": "Anchorage|Fairbanks|Juneau|Wasilla",
    "AZ": "Phoenix|Tucson|Mesa|Chandler|Scottsdale|Glendale|Flagstaff",
    "AR": "Little Rock|Fort Smith|Fayetteville|Springdale|Jonesboro",
    "CA": "Los Angeles|San Diego|San José|San Francisco|Fresno|Sacramento|Long Beach|"
    "Oakland|Bakersfield|Anaheim|Riverside|Santa Ana|Irvine|Chula Vista|La Cañada Flintridge",
    "CO": "Denver|Colorado Springs|Aurora|Fort Collins|Lakewood|Boulder",
    "CT": "Bridgeport|Stamford|New Haven|Hartford|Waterbury",
    "DE": "Wilmington|Dover|Newark|Middletown",
    "DC": "Washington",
    "FL": "Jacksonville|Miami|Tampa|Orlando|St. Petersburg|Hialeah|Tallahassee|Fort Lauderdale|"
    "Cape Coral|Gainesville",
    "GA": "Atlanta|Columbus|Augusta|Macon|Savannah|Athens",
    "HI": "Honolulu|Hilo|Kailua|Kapolei|Pearl City",
    "ID": "Boise|Meridian|Nampa|Idaho Falls|Coeur d'Alene",
    "IL": "Chicago|Aurora|Naperville|Joliet|Rockford|Springfield|Peoria",
    "IN": "Indianapolis|Fort Wayne|Evansville|South Bend|Carmel|Bloomington",
    "IA": "Des Moines|Cedar Rapids|Davenport|Sioux City|Iowa City",
    "KS": "Wichita|Overland Park|Kansas City|Olathe|Topeka|Lawrence",
    "KY": "Louisville|Lexington|Bowling Green|Owensboro|Covington",
    "LA": "New Orleans|Baton Rouge|Shreveport|Lafayette|Lake Charles",
    "ME": "Portland|Lewiston|Bangor|South Portland|Auburn",
    "MD": "Baltimore|Columbia|Germantown|Silver Spring|Frederick|Rockville",
    "MA": "Boston|Worcester|Springfield|Cambridge|Lowell|Brockton",
    "MI": "Detroit|Grand Rapids|Warren|Sterling Heights|Ann Arbor|Lansing",
    "MN": "Minneapolis|St. Paul|Rochester|Duluth|Bloomington",
    "MS": "Jackson|Gulfport|Southaven|Hattiesburg|Biloxi",
    "MO": "Kansas City|St. Louis|Springfield|Columbia|Independence",
    "MT": "Billings|Missoula|Great Falls|Bozeman|Helena",
    "NE": "Omaha|Lincoln|Bellevue|Grand Island|Kearney",
    "NV": "Las Vegas|Henderson|Reno|North Las Vegas|Sparks",
    "NH": "Manchester|Nashua|Concord|Dover|Rochester",
    "NJ": "Newark|Jersey City|Paterson|Elizabeth|Lakewood|Edison|Trenton",
    "NM": "Albuquerque|Las Cruces|Rio Rancho|Santa Fe|Roswell|Española",
    "NY": "New York|Brooklyn|Bronx|Buffalo|Rochester|Yonkers|Syracuse|Albany",
    "NC": "Charlotte|Raleigh|Greensboro|Durham|Winston-Salem|Fayetteville",
    "ND": "Fargo|Bismarck|Grand Forks|Minot",
    "OH": "Columbus|Cleveland|Cincinnati|Toledo|Akron|Dayton",
    "OK": "Oklahoma City|Tulsa|Norman|Broken Arrow|Edmond",
    "OR": "Portland|Salem|Eugene|Gresham|Hillsboro|Bend",
    "PA": "Philadelphia|Pittsburgh|Allentown|Reading|Erie|Scranton",
    "RI": "Providence|Warwick|Cranston|Pawtucket|Newport",
    "SC": "Charleston|Columbia|North Charleston|Mount Pleasant|Greenville",
    "SD": "Sioux Falls|Rapid City|Aberdeen|Brookings",
    "TN": "Nashville|Memphis|Knoxville|Chattanooga|Clarksville|Murfreesboro",
    "TX": "Houston|San Antonio|Dallas|Austin|Fort Worth|El Paso|Arlington|Corpus Christi|"
    "Plano|Laredo|Lubbock|Brownsville",
    "UT": "Salt Lake City|West Valley City|Provo|West Jordan|Orem|St. George",
    "VT": "Burlington|South Burlington|Rutland|Essex Junction|Montpelier",
    "VA": "Virginia Beach|Chesapeake|Norfolk|Arlington|Richmond|Newport News|Alexandria",
    "WA": "Seattle|Spokane|Tacoma|Vancouver|Bellevue|Kent",
    "WV": "Charleston|Huntington|Morgantown|Parkersburg|Wheeling",
    "WI": "Milwaukee|Madison|Green Bay|Kenosha|Racine",
    "WY": "Cheyenne|Casper|Laramie|Gillette",
    "PR": "San Juan|Bayamón|Carolina|Ponce|Caguas|Mayagüez",
    "GU": "Dededo|Yigo|Tamuning|Hagåtña|Mangilao",
    "VI": "Charlotte Amalie|Christiansted|Frederiksted",
    "AS": "Pago Pago|Tafuna|Leone",
    "MP": "Saipan|Tinian|Rota",
}

# Approximate share of people who speak Spanish at home, after US Census Bureau American
# Community Survey 2019 5-year estimates, table S1601 (https://data.census.gov/table/ACSST5Y2019.S1601),
# Puerto Rico from the same table for PR; rounded, not copied cell by cell. States not
# listed: 5%. Spanish notices go to
# those of them who speak English less than "very well" (same table): about 4 in 10 in the
# states, 8 in 10 in Puerto Rico.
SPANISH_AT_HOME = {
    "AZ": 0.20,
    "CA": 0.28,
    "CO": 0.11,
    "CT": 0.12,
    "DC": 0.08,
    "FL": 0.22,
    "GA": 0.08,
    "HI": 0.02,
    "IL": 0.13,
    "MA": 0.09,
    "MD": 0.08,
    "NJ": 0.16,
    "NM": 0.27,
    "NV": 0.21,
    "NY": 0.15,
    "OR": 0.09,
    "RI": 0.13,
    "TX": 0.30,
    "UT": 0.10,
    "WA": 0.09,
    "PR": 0.94,
    "GU": 0.01,
    "AS": 0.01,
    "MP": 0.01,
    "VI": 0.17,
}
SPANISH_AT_HOME_ELSEWHERE = 0.05
SPANISH_WITH_LIMITED_ENGLISH = {"PR": 0.8}
SPANISH_WITH_LIMITED_ENGLISH_ELSEWHERE = 0.4

# Other languages US customers ask for (illustrative; the order follows the most spoken
# languages other than English and Spanish in the same ACS table), as a share of everyone.
US_OTHER_LANGUAGES = {"zh": 0.006, "vi": 0.004, "tl": 0.003, "ko": 0.002, "ar": 0.002}
US_OTHER_LANGUAGE_SHARE_TOTAL = sum(US_OTHER_LANGUAGES.values())

# Approximate share of the 2020 population by age band (percent), after US Census Bureau,
# 2020 Census Demographic and Housing Characteristics, table P12
# (https://data.census.gov/table/DECENNIALDHC2020.P12); rounded, not copied cell by cell.
# Minors are then kept at `MINOR_WEIGHT` of their share: most customers are adults.
AGE_BANDS = (
    (0, 4, 5.7),
    (5, 9, 6.0),
    (10, 14, 6.4),
    (15, 19, 6.6),
    (20, 24, 6.5),
    (25, 29, 6.8),
    (30, 34, 6.9),
    (35, 39, 6.6),
    (40, 44, 6.3),
    (45, 49, 6.0),
    (50, 54, 6.3),
    (55, 59, 6.5),
    (60, 64, 6.3),
    (65, 69, 5.4),
    (70, 74, 4.4),
    (75, 79, 2.9),
    (80, 84, 1.8),
    (85, 95, 1.9),
)
MINOR_WEIGHT = 0.08

# Which data elements a row says were exposed (illustrative shares for a retail breach).
EXPOSURE_SHARES = {
    "exposed_ssn": 0.40,
    "exposed_payment_card": 0.30,
    "exposed_date_of_birth": 0.55,
    "exposed_medical": 0.08,
}

# Given names, most common first (order loosely after the Social Security Administration's
# popular names, https://www.ssa.gov/oact/babynames/, with names from the other
# communities a US customer list holds). Weights fall off with position.
FIRST_NAMES = _words_of(
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa "
    "Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia "
    "Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry "
    "Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory "
    "Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine "
    "Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce "
    "Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan "
    "Walter Evelyn Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry "
    "Jacqueline Gerald Martha Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison "
    "Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy Alice Bruce "
    "Judy Gabriel Sophia Logan Grace Albert Denise Willie Amber Alan Doris Juan Marilyn Wayne "
    "Danielle Elijah Beverly Randy Isabella Roy Theresa Vincent Diana Ralph Natalie Eugene "
    "Brittany Russell Charlotte Bobby Marie Mason Kayla Philip Alexis Louis Lori José María "
    "Luis Carlos Jorge Miguel Alejandro Francisco Jesús Ángel Héctor Ramón Joaquín Raúl "
    "Andrés Sofía Lucía Valentina Camila Ximena Guadalupe Mónica Inés Adriana Alejandra "
    "Verónica Beatriz Rocío Minh Linh Thanh Huong Duc Anh Wei Jing Mei Hiroshi Yuki Haruto "
    "Ji-woo Min-jun Seo-yeon Priya Rahul Anjali Arjun Deepak Sanjay Aisha Fatima Mohammed "
    "Omar Ahmed Layla Yusuf Zoë Chloé Renée Noé André François Amélie Anaïs Hélène Björn "
    "Søren Jürgen Małgorzata Łukasz Siobhán Seán Niamh Aoife Ciarán Dmitri Olga Giulia "
    "Matteo Jean-Luc Mary-Kate Anne-Marie Jean-Pierre D'Andre De'Shawn Ja'Nae Jamal Tyrone "
    "Latoya Keisha Imani Malik Darnell Aaliyah Jada Brianna Destiny Jasmine Trevor Cody "
    "Dustin Travis Shane Brett Caleb Hunter Connor Liam Mia Ava Harper Amelia Ella Avery "
    "Scarlett Luna Chloe Zoe Nora Lily Hazel Violet Aurora Savannah Audrey Claire Lucy "
    "Caroline Naomi Elena Ariana Allison Ruby Eva Hailey Isla Quinn Ivy Piper Lydia "
    "Josephine Delilah Vivian Sophie Oliver Lucas Aiden Jackson Sebastian Mateo Owen Wyatt "
    "Carter Luke Isaac Lincoln Leo Theodore Hudson Ezra Isaiah Adrian Elias Cameron Nolan "
    "Miles Everett Declan Silas Xavier Kai"
)

# Nicknames people give instead of the name on file (illustrative).
NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Richard": "Rick",
    "James": "Jim",
    "John": "Jack",
    "Michael": "Mike",
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "Katherine": "Kate",
    "Jennifer": "Jen",
    "Christopher": "Chris",
    "Matthew": "Matt",
    "Anthony": "Tony",
    "Daniel": "Dan",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Charles": "Charlie",
    "David": "Dave",
    "Steven": "Steve",
    "Andrew": "Andy",
    "Joshua": "Josh",
    "Nicholas": "Nick",
    "Benjamin": "Ben",
    "Samuel": "Sam",
    "Alexander": "Alex",
    "Patricia": "Patty",
    "Barbara": "Barb",
    "Susan": "Sue",
    "Jessica": "Jess",
    "Rebecca": "Becky",
    "Deborah": "Debbie",
    "Kimberly": "Kim",
    "Victoria": "Vicky",
    "Samantha": "Sammy",
    "Timothy": "Tim",
    "Edward": "Ed",
    "Ronald": "Ron",
    "Kenneth": "Ken",
    "Gregory": "Greg",
    "Raymond": "Ray",
    "Jonathan": "Jon",
    "Francisco": "Paco",
    "José": "Pepe",
    "Jesús": "Chuy",
    "Guadalupe": "Lupe",
    "Alejandro": "Alex",
    "Catherine": "Cathy",
    "Christine": "Chris",
    "Zachary": "Zach",
    "Jacqueline": "Jackie",
}

# Surnames, most common first (order after the US Census Bureau's 2010 surname list,
# https://www.census.gov/topics/population/genealogy/data/2010_surnames.html, followed by
# names with accents, apostrophes, hyphens and particles that an importer must keep).
LAST_NAMES = [
    *_words_of(
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
        "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
        "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
        "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
        "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
        "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
        "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
        "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales "
        "Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
        "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
        "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington "
        "Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson "
        "Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes "
        "Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
        "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
        "Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley "
        "Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado "
        "Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis "
        "Carpenter Lawrence Sandoval Nguyễn Trần Lê Phạm Hernández García Pérez González "
        "Rodríguez Martínez López Gómez Núñez Muñoz Peña Ibáñez Müller Schröder Jäger Weiß Böhm "
        "Dvořák Nowak Kowalski Wiśniewski Lefèvre Côté Gagné Bélanger O'Brien O'Connor O'Neill "
        "O'Sullivan D'Angelo D'Souza McCarthy MacDonald Smith-Jones Taylor-Brown García-López "
        "Fitzgerald Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Park Choi Jung Kang Yamamoto "
        "Tanaka Suzuki Sato Singh Kumar Shah Sharma Gupta Khan Ali Hussain Ahmed Cohen Levy "
        "Friedman Rossi Russo Ferrari Esposito Bianchi Romano Kowalczyk Ivanov Petrov Popescu "
        "Okafor Adeyemi Mensah Abdullah Haddad Nasser"
    ),
    "de la Cruz",
    "Van Dyke",
    "St. Clair",
    "van der Berg",
]

# Street names and USPS Publication 28 suffix abbreviations
# (https://pe.usps.com/text/pub28/28apc_002.htm), with how often each suffix is used
# (illustrative).
US_STREET_NAMES = [
    *_words_of(
        "Main Oak Maple Cedar Pine Elm Washington Lake Hill Park Walnut Sunset Lincoln Jackson "
        "Church Willow River Highland Meadow Forest Spring Ridge Valley Jefferson Madison Adams "
        "Franklin Chestnut Birch Cherry Dogwood Magnolia Hickory Sycamore Poplar Aspen Laurel "
        "Holly Juniper Mill School Center Market Union Front Broad Water Bridge Railroad Depot "
        "Grove Orchard Garden Prairie Canyon Mesa Vista Bayview Harbor Shore Ocean Bay Beach "
        "Lakeview Hillcrest Fairview Pleasant Woodland Greenwood Brookside Riverside Westwood "
        "Kingston Lexington Hamilton Monroe Wilson Taylor Johnson Martin King Heritage Colonial "
        "Liberty Independence Commerce Industrial College University Academy Chapel Cemetery "
        "Airport Country Ranch Farm Mountain Summit Timber Stone Rock Sandy Clearwater Silver "
        "Golden Sunrise Evergreen Briarwood Foxhill Deer Quail Eagle Hawk Robin Cardinal Bluebird "
        "1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th 11th 12th 14th 16th 18th 21st 23rd 42nd"
    ),
    "El Camino Real",
    "Martin Luther King Jr",
    "Calle Luna",
    "Avenida Ponce de León",
]
US_STREET_SUFFIXES = {
    "St": 8,
    "Ave": 6,
    "Rd": 5,
    "Dr": 5,
    "Ln": 3,
    "Blvd": 2,
    "Ct": 3,
    "Way": 2,
    "Pl": 2,
    "Cir": 1,
    "Pkwy": 1,
    "Ter": 1,
    "Trl": 1,
    "Hwy": 1,
}
US_STREET_DIRECTIONS = {"": 12, "N ": 1, "S ": 1, "E ": 1, "W ": 1}
# Share of addresses with a second line (apartment, unit, suite); illustrative.
SECOND_LINE_SHARE = 0.14

# What the country column says for people in the US ("" leaves it empty; the state and
# ZIP still place them). Illustrative.
US_COUNTRY_SPELLINGS = {"US": 0.9, "USA": 0.04, "United States": 0.03, "": 0.03}

# How US numbers are written: NANP digits in the formats customer lists hold them in
# (illustrative shares); the last two digits are added to "555-01".
US_PHONE_FORMATS = {
    "({code}) 555-01": 35,
    "{code}-555-01": 30,
    "{code}55501": 12,
    "+1 {code} 555 01": 10,
    "{code}.555.01": 5,
    "+1{code}55501": 8,
}
# The digits that end a phone number, after its fixed head (see `Country.phone_heads`).
PHONE_TAILS = {
    "d2": [f"{i:02d}" for i in range(100)],
    "d3": [f"{i:03d}" for i in range(1000)],
    "d4": [f"{i:04d}" for i in range(10_000)],
    "pair": [f"{i // 100:02d} {i % 100:02d}" for i in range(10_000)],
}
# What follows a postcode's prefix (see `City.postcode_prefixes`), after the UPU guides
# cited on `INTERNATIONAL`: the UK inward code (digit and two letters, no C I K M O V),
# the Canadian local delivery unit (digit, letter, digit; no D F I O Q U), the Dutch
# "1234 AB" letters (no F I O Q U Y, nor A E S as a first letter here), Paris
# arrondissements.
_GB_LETTERS, _CA_LETTERS, _NL_LETTERS = (
    "ABDEFGHJLNPQRSTUWXYZ",
    "ABCEGHJKLMNPRSTVWXYZ",
    "BCDGHJKLMNPRTVWXZ",
)
POSTCODE_TAILS = {
    "d1": [str(i) for i in range(1, 10)],
    "d2": [f"{i:02d}" for i in range(100)],
    "d3": [f"{i:03d}" for i in range(1000)],
    "d4": [f"{i:04d}" for i in range(10_000)],
    "arr": [f"{i:02d}" for i in range(1, 21)],
    "gb": [f"{d}{a}{b}" for d in range(10) for a in _GB_LETTERS for b in _GB_LETTERS],
    "ca": [f"{d}{a}{e}" for d in range(10) for a in _CA_LETTERS for e in range(10)],
    "nl": [f"{d} {a}{b}" for d in range(10) for a in _NL_LETTERS for b in _NL_LETTERS],
}
# Second address lines (illustrative); a few hold a comma, so the CSV must quote them.
UNITS = (
    [f"Apt {n}" for n in range(1, 41)]
    + [f"Apt {n}{letter}" for n in range(1, 13) for letter in "ABCD"]
    + [f"Unit {n}" for n in range(1, 31)]
    + [f"Suite {n}" for n in range(100, 1000, 50)]
    + [f"# {n}" for n in range(1, 21)]
    + ["Apt 2, Rear", "Unit 5, Bldg C", "Fl 2", "Fl 3", "PH"]
)

# Email domains: common everywhere, then national ones (illustrative weights).
COMMON_EMAIL_DOMAINS = {
    "gmail.com": 50,
    "yahoo.com": 14,
    "hotmail.com": 12,
    "outlook.com": 12,
    "icloud.com": 8,
    "proton.me": 1,
    "live.com": 3,
}
NATIONAL_EMAIL_SHARE = 0.3
US_EMAIL_DOMAINS = {
    "aol.com": 5,
    "comcast.net": 4,
    "att.net": 3,
    "verizon.net": 2,
    "sbcglobal.net": 2,
    "msn.com": 2,
    "me.com": 2,
    "charter.net": 1,
    "cox.net": 1,
}


class City(NamedTuple):
    name: str
    province: str | None
    postcode_prefixes: tuple[str, ...]
    postcode_tail: str  # a kind in POSTCODE_TAILS


class Country(NamedTuple):
    code: str
    weight: float  # share among international people
    spellings: dict[str, float]  # what the country column says
    languages: dict[str, float]
    email_domains: dict[str, float]
    phone_heads: tuple[str, ...]  # country code and fixed digits
    phone_tail: str  # a kind in PHONE_TAILS
    street_first: bool  # "Hauptstraße 12" rather than "12 High Street"
    streets: tuple[str, ...]
    cities: tuple[City, ...]


# People outside the US. Postcode shapes follow the Universal Postal Union's addressing
# guides (https://www.upu.int/en/Postal-Solutions/Programmes-Services/Addressing-Solutions);
# phone numbers use ranges reserved for drama where the regulator publishes them: Ofcom
# (https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama),
# Bundesnetzagentur ("Drama Numbers", Amtsblatt 7/2021 Mitteilung 148), ARCEP
# (numéros fictifs 01 99 00, 02 61 91...), ACMA (https://www.acma.gov.au/phone-numbers-use-tv-shows-films-and-creative-works)
# and NANPA 555-01XX for Canada; elsewhere all but the last digits are fixed and made up.
# Weights are illustrative.
INTERNATIONAL = (
    Country(
        code="CA",
        weight=22,
        spellings={"CA": 0.93, "Canada": 0.07},
        languages={"en": 0.72, "fr": 0.25, "zh": 0.03},
        email_domains={"rogers.com": 3, "shaw.ca": 2, "sympatico.ca": 2, "videotron.ca": 1},
        phone_heads=("+1 416 555 01", "+1 514 555 01", "+1 604 555 01", "+1 403 555 01"),
        phone_tail="d2",
        street_first=False,
        streets=(
            "Yonge Street",
            "King Street West",
            "Rue Sainte-Catherine",
            "Main Street",
            "Queen Street East",
            "Robson Street",
            "Jasper Avenue",
            "Portage Avenue",
            "Rue Saint-Denis",
            "Bank Street",
        ),
        cities=(
            City("Toronto", "ON", ("M5V ", "M4C ", "M6G ", "M1B "), "ca"),
            City("Montréal", "QC", ("H2X ", "H3A ", "H1A "), "ca"),
            City("Vancouver", "BC", ("V6B ", "V5K "), "ca"),
            City("Calgary", "AB", ("T2P ", "T3A "), "ca"),
            City("Ottawa", "ON", ("K1P ", "K2B "), "ca"),
            City("Winnipeg", "MB", ("R3C ",), "ca"),
            City("Halifax", "NS", ("B3H ",), "ca"),
        ),
    ),
    Country(
        code="GB",
        weight=20,
        spellings={"GB": 0.85, "UK": 0.1, "United Kingdom": 0.05},
        languages={"en": 0.97, "pl": 0.03},
        email_domains={"btinternet.com": 3, "yahoo.co.uk": 3, "hotmail.co.uk": 3, "sky.com": 2},
        phone_heads=("+44 20 7946 0", "+44 161 496 0", "+44 121 496 0", "+441134960"),
        phone_tail="d3",
        street_first=False,
        streets=(
            "High Street",
            "Station Road",
            "Church Lane",
            "Victoria Road",
            "Green Lane",
            "Park Road",
            "Manor Road",
            "Queens Road",
            "Mill Lane",
            "The Crescent",
        ),
        cities=(
            City("London", None, ("SW1A ", "SW3 ", "N1 ", "E1 ", "W2 ", "NW1 ", "SE1 "), "gb"),
            City("Manchester", None, ("M1 ", "M4 ", "M14 ", "M20 "), "gb"),
            City("Birmingham", None, ("B1 ", "B15 ", "B29 "), "gb"),
            City("Leeds", None, ("LS1 ", "LS6 "), "gb"),
            City("Glasgow", None, ("G1 ", "G12 "), "gb"),
            City("Cardiff", None, ("CF10 ", "CF24 "), "gb"),
            City("Belfast", None, ("BT1 ", "BT7 "), "gb"),
        ),
    ),
    Country(
        code="MX",
        weight=14,
        spellings={"MX": 0.9, "México": 0.1},
        languages={"es": 0.97, "en": 0.03},
        email_domains={"yahoo.com.mx": 3, "hotmail.es": 2, "prodigy.net.mx": 2},
        phone_heads=("+52 55 5254 ", "+52 55 5025 ", "+52 33 3616 ", "+52 81 8340 "),
        phone_tail="d4",
        street_first=True,
        streets=(
            "Av. Insurgentes Sur",
            "Calle Madero",
            "Paseo de la Reforma",
            "Calle Hidalgo",
            "Av. Juárez",
            "Calle Morelos",
            "Av. Revolución",
            "Calle 5 de Mayo",
        ),
        cities=(
            City("Ciudad de México", "CDMX", ("0", "1"), "d4"),
            City("Guadalajara", "JAL", ("44",), "d3"),
            City("Monterrey", "NL", ("64",), "d3"),
            City("Puebla", "PUE", ("72",), "d3"),
            City("Mérida", "YUC", ("97",), "d3"),
        ),
    ),
    Country(
        code="DE",
        weight=10,
        spellings={"DE": 0.93, "Germany": 0.05, "Deutschland": 0.02},
        languages={"de": 0.9, "en": 0.07, "tr": 0.03},
        email_domains={"web.de": 4, "gmx.de": 4, "t-online.de": 3, "gmx.net": 2},
        phone_heads=(
            "+49 30 23125 ",
            "+49 69 90009 ",
            "+49 40 66969 ",
            "+49 221 4710 ",
            "+49 89 99998 ",
        ),
        phone_tail="d3",
        street_first=True,
        streets=(
            "Hauptstraße",
            "Schulstraße",
            "Gartenstraße",
            "Bahnhofstraße",
            "Dorfstraße",
            "Bergstraße",
            "Lindenstraße",
            "Goethestraße",
            "Schillerstraße",
            "Am Markt",
        ),
        cities=(
            City("Berlin", None, ("10", "12", "13"), "d3"),
            City("Hamburg", None, ("20", "22"), "d3"),
            City("München", None, ("80", "81"), "d3"),
            City("Köln", None, ("50", "51"), "d3"),
            City("Frankfurt am Main", None, ("60",), "d3"),
            City("Düsseldorf", None, ("40",), "d3"),
        ),
    ),
    Country(
        code="IN",
        weight=10,
        spellings={"IN": 0.95, "India": 0.05},
        languages={"en": 0.7, "hi": 0.3},
        email_domains={"rediffmail.com": 3, "yahoo.co.in": 3},
        phone_heads=("+91 98200 1", "+91 99300 5", "+91 70450 2"),
        phone_tail="d4",
        street_first=False,
        streets=(
            "MG Road",
            "Linking Road",
            "Park Street",
            "Brigade Road",
            "Anna Salai",
            "Nehru Place",
            "Station Road",
        ),
        cities=(
            City("Mumbai", "MH", ("400",), "d3"),
            City("Delhi", "DL", ("110",), "d3"),
            City("Bengaluru", "KA", ("560",), "d3"),
            City("Chennai", "TN", ("600",), "d3"),
            City("Hyderabad", "TG", ("500",), "d3"),
            City("Kolkata", "WB", ("700",), "d3"),
        ),
    ),
    Country(
        code="AU",
        weight=8,
        spellings={"AU": 0.93, "Australia": 0.07},
        languages={"en": 0.95, "zh": 0.05},
        email_domains={"bigpond.com": 4, "optusnet.com.au": 2, "yahoo.com.au": 2},
        phone_heads=("+61 2 5550 ", "+61 3 7010 ", "+61 7 5550 ", "+61 8 7010 "),
        phone_tail="d4",
        street_first=False,
        streets=(
            "George Street",
            "Collins Street",
            "Queen Street",
            "Hay Street",
            "King William Street",
            "Pitt Street",
            "Chapel Street",
        ),
        cities=(
            City("Sydney", "NSW", ("2",), "d3"),
            City("Melbourne", "VIC", ("3",), "d3"),
            City("Brisbane", "QLD", ("4",), "d3"),
            City("Perth", "WA", ("6",), "d3"),
            City("Adelaide", "SA", ("5",), "d3"),
            City("Canberra", "ACT", ("26",), "d2"),
        ),
    ),
    Country(
        code="FR",
        weight=7,
        spellings={"FR": 0.93, "France": 0.07},
        languages={"fr": 0.95, "en": 0.05},
        email_domains={"orange.fr": 4, "free.fr": 3, "laposte.net": 2, "sfr.fr": 2},
        phone_heads=("+33 1 99 00 ", "+33 2 61 91 ", "+33 4 65 71 ", "+33 5 36 49 "),
        phone_tail="pair",
        street_first=False,
        streets=(
            "rue de la Paix",
            "avenue des Champs-Élysées",
            "rue de Rivoli",
            "boulevard Saint-Michel",
            "rue Victor Hugo",
            "rue de la République",
            "avenue Jean Jaurès",
            "quai des Chartrons",
        ),
        cities=(
            City("Paris", None, ("750",), "arr"),
            City("Lyon", None, ("6900",), "d1"),
            City("Marseille", None, ("130",), "arr"),
            City("Toulouse", None, ("310",), "d2"),
            City("Nice", None, ("06",), "d3"),
            City("Bordeaux", None, ("330",), "d2"),
        ),
    ),
    Country(
        code="ES",
        weight=4,
        spellings={"ES": 0.92, "España": 0.05, "Spain": 0.03},
        languages={"es": 0.9, "ca": 0.06, "en": 0.04},
        email_domains={"hotmail.es": 3, "yahoo.es": 2, "telefonica.net": 1},
        phone_heads=("+34 91 123 ", "+34 93 456 ", "+34 96 321 "),
        phone_tail="pair",
        street_first=True,
        streets=(
            "Calle Mayor",
            "Gran Vía",
            "Calle de Alcalá",
            "Passeig de Gràcia",
            "Calle Serrano",
            "Carrer de Balmes",
        ),
        cities=(
            City("Madrid", None, ("28",), "d3"),
            City("Barcelona", None, ("08",), "d3"),
            City("Valencia", None, ("46",), "d3"),
            City("Sevilla", None, ("41",), "d3"),
        ),
    ),
    Country(
        code="NL",
        weight=3,
        spellings={"NL": 0.9, "Netherlands": 0.07, "Nederland": 0.03},
        languages={"nl": 0.85, "en": 0.15},
        email_domains={"ziggo.nl": 3, "kpnmail.nl": 2, "hotmail.nl": 2},
        phone_heads=("+31 20 521 ", "+31 10 412 ", "+31 30 233 "),
        phone_tail="d4",
        street_first=True,
        streets=(
            "Damrak",
            "Prinsengracht",
            "Keizersgracht",
            "Coolsingel",
            "Oudegracht",
            "Kalverstraat",
        ),
        cities=(
            City("Amsterdam", None, ("101", "102", "107"), "nl"),
            City("Rotterdam", None, ("301", "303"), "nl"),
            City("Utrecht", None, ("351", "352"), "nl"),
            City("Den Haag", None, ("251", "256"), "nl"),
        ),
    ),
    Country(
        code="BR",
        weight=2,
        spellings={"BR": 0.9, "Brasil": 0.1},
        languages={"pt": 0.95, "en": 0.05},
        email_domains={"uol.com.br": 3, "bol.com.br": 2, "terra.com.br": 2},
        phone_heads=("+55 11 98765-", "+55 21 99876-"),
        phone_tail="d4",
        street_first=True,
        streets=(
            "Rua Augusta",
            "Avenida Paulista",
            "Rua Oscar Freire",
            "Avenida Atlântica",
            "Rua da Consolação",
            "Rua Visconde de Pirajá",
        ),
        cities=(
            City("São Paulo", "SP", ("01310-", "04543-", "05422-"), "d3"),
            City("Rio de Janeiro", "RJ", ("22041-", "20040-"), "d3"),
        ),
    ),
)
