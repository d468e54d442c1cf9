"""Names, streets and words for synthetic clients of the demo borough. Data only.

Given names follow the generation a person was born in (the people a borough's
community services see are mostly over 75); family names mix the many origins
of a London borough. Streets are invented.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names by sex and by birth cohort: before 1950, 1950-1984, from 1985.
FEMALE_NAMES = {
    "older": _words(
        "Margaret Dorothy Joan Patricia Jean Barbara Doreen Sheila Betty Eileen Mary Irene "
        "Maureen Joyce Sylvia Brenda Audrey Pamela Valerie Shirley Elsie Winifred Gladys Edna "
        "Marjorie Kathleen Hilda Rose Ivy Phyllis Beryl Vera Norma June Iris Mavis Olive Ethel "
        "Agnes Grace Lilian Bridget Nora Hyacinth Gwendoline Precious Jaswinder Kamala Savitri "
        "Fatima Zofia Halina Ayse"
    ),
    "middle": _words(
        "Susan Linda Christine Karen Julie Janet Elaine Deborah Carol Tracey Lorraine Jacqueline "
        "Sharon Nicola Amanda Alison Catherine Helen Sarah Michelle Angela Joanne Dawn Yvonne "
        "Marcia Beverley Sandra Denise Lesley Paula Claire Anita Shabana Nasreen Parveen Sunita "
        "Comfort Folake Grazyna Monika Fatma Siobhan Aoife"
    ),
    "younger": _words(
        "Olivia Amelia Emily Jessica Sophie Chloe Grace Ella Lily Ava Isla Mia Zara Aisha Maryam "
        "Amira Hannah Lauren Megan Charlotte Ruby Poppy Freya Leah Imani Precious Adaeze Zainab "
        "Hafsa Priya Anika Julia Zuzanna Elif Niamh Rebecca Abigail Evie Esme"
    ),
}
MALE_NAMES = {
    "older": _words(
        "Arthur Kenneth Ronald Derek Raymond Albert Harold Frank Stanley Leonard Dennis Roy "
        "Norman Eric Alfred George Walter Frederick Sidney Cyril Bernard Leslie Reginald Percy "
        "Victor Gordon Brian Ernest Maurice Clifford Winston Everton Desmond Lloyd Gurdev "
        "Harbhajan Mohammed Abdul Rashid Kazimierz Stanislaw Mehmet Patrick Michael John William "
        "Thomas James"
    ),
    "middle": _words(
        "David Paul Mark Andrew Stephen Peter Ian Gary Kevin Steven Richard Anthony Simon Martin "
        "Neil Darren Lee Jason Christopher Robert Colin Keith Trevor Clive Delroy Wayne Imran "
        "Tariq Sanjay Rajesh Kwame Oluwaseun Emeka Tomasz Piotr Mustafa Declan Sean Jonathan "
        "Philip"
    ),
    "younger": _words(
        "Oliver Jack Harry George Noah Charlie Jacob Thomas Oscar William James Leo Alfie "
        "Mohammed Muhammad Yusuf Ibrahim Adam Ryan Daniel Joshua Callum Kyle Jordan Tyrone Kofi "
        "Chidi Arjun Rohan Aarav Jakub Filip Emre Cian Ethan Samuel Nathan Reuben Theo Kai"
    ),
}
FAMILY_NAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson "
    "Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali "
    "Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell "
    "Barker Fisher Stevens Jenkins Dixon Fletcher Ahmed Fox Gibson Reid Lawrence Ryan Shah "
    "Chowdhury Rahman Islam Uddin Miah Akhtar Bibi Kaur Sharma Gupta Kumar Mistry Desai Okafor "
    "Adeyemi Mensah Owusu Boateng Asante Nwosu Okoro Adebayo Oyelaran Campbell-Brown McKenzie "
    "Francis Brathwaite Nowak Kowalski Wisniewski Wojcik Kaminski Yilmaz Demir Kaya Celik O'Brien "
    "O'Connor Doyle Byrne Walsh Gallagher Quinn Nguyen Tran Chen Wong Li Santos Ferreira Costa "
    "Silva Rossi Papadopoulos Georgiou"
)

# fmt: off
# Invented streets: each locality takes its own share (see population.plan_from).
STREETS = (
    "Wherry Lane", "Lantern Road", "Barge Walk", "Tidemill Street", "Ropemakers Row",
    "Cressmoor Avenue", "Sailmaker Close", "Hatchgate Road", "Eelbrook Terrace",
    "Fennel Street", "Kiln Yard", "Mudlark Way", "Saltings Road", "Pennywort Grove",
    "Chandlers Rise", "Lockkeeper Close", "Moorhen Street", "Osier Lane", "Bargehouse Road",
    "Watergate Crescent", "Ferryman Avenue", "Quayside Gardens", "Heron Reach",
    "Pumphouse Lane", "Coalwharf Road", "Windlass Street", "Bellbuoy Close", "Slipway Road",
    "Tollhouse Grove", "Cooperage Way", "Drovers Lane", "Marshgate Road", "Lightermans Walk",
    "Anchorage Close", "Reedbed Avenue", "Capstan Row", "Brickfield Terrace", "Hopfield Road",
    "Stillwater Drive", "Wharfinger Street", "Steamer Lane", "Tidewater Close",
    "Kingfisher Parade", "Sluicegate Road", "Towpath Walk", "Netmakers Row", "Oarsman Grove",
    "Shingle Street",
)
ADDRESS_FORMS = (
    "{house} {street}", "{house} {street}", "{house} {street}", "{house}A {street}",
    "Flat {flat}, {house} {street}", "Flat {flat}, {block} House, {street}",
)
BLOCKS = (
    "Barge", "Tidemill", "Ropewalk", "Heron", "Lighthouse", "Marsh", "Wharf", "Capstan",
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters the inward code uses

NEED_DESCRIPTIONS = {
    "physical_health": (
        "Reduced mobility after a fall at home; walks with a frame indoors.",
        "Leg ulcer needing dressings twice a week.",
        "Heart failure: breathless on exertion, daily weights advised.",
        "COPD with recent exacerbation; needs help to manage inhalers.",
        "Recovering from a hip fracture; needs a home exercise programme.",
        "Type 2 diabetes with poor control; insulin given by the district nurses.",
        "Pressure area at risk: needs a pressure-relieving mattress.",
        "Parkinson's disease; freezing episodes when turning.", "Catheter care and review.",
        "Frailty: eFI moderate, several falls in the last six months.",
    ),
    "mental_health": (
        "Low mood since bereavement; not leaving the house.",
        "Anxiety with panic attacks; struggles with appointments.",
        "Long-standing psychosis, depot medication every two weeks.",
        "Bipolar disorder; needs a relapse prevention plan.",
        "Self-neglect and hoarding, refusing help at times.",
        "Alcohol use affecting health and safety at home.",
    ),
    "cognition": (
        "Memory problems: forgetting medication and meals.",
        "Diagnosed with Alzheimer's disease; family need support and advice.",
        "Confusion at night, wandering outside.",
        "Awaiting a memory assessment after GP referral.",
        "Vascular dementia; needs help with planning the day.",
    ),
    "personal_care": (
        "Needs help to wash and dress each morning.",
        "Cannot get in or out of the bath; assessment for equipment.",
        "Needs support with meals and shopping.", "Continence care: needs pads and a plan.",
        "Needs a package of care after discharge from hospital.",
        "Struggling with stairs to the bathroom; consider a stair lift or a downstairs toilet.",
    ),
    "housing": (
        "Damp and mould in the flat, affecting breathing.",
        "Third-floor flat with no lift; cannot get out.", "At risk of eviction: rent arrears.",
        "Needs adaptations: grab rails and a level-access shower.",
        "Heating broken; at risk in cold weather.",
    ),
    "carer": (
        "Husband is the main carer and is exhausted; carer's assessment offered.",
        "Daughter cares while working full time; wants respite.",
        "Carer has health problems of their own; contingency plan needed.",
    ),
    "safeguarding": (
        "Concerns about financial abuse by a neighbour.",
        "Unexplained bruising noticed at a visit; safeguarding enquiry opened.",
        "Domestic abuse reported; safety plan agreed.",
        "Scam mail and doorstep callers; trading standards informed.",
    ),
}
# Needs of children known to children's services.
CHILD_NEED_DESCRIPTIONS = {
    "safeguarding": (
        "Child at risk of neglect; child protection plan in place.",
        "Child in need plan: parent struggling after a hospital stay.",
        "Concerns raised by school about unexplained absences.",
    ),
    "carer": (
        "Young carer for a parent with multiple sclerosis.",
        "Young carer for a sibling with autism.",
    ),
    "mental_health": (
        "Anxiety and school refusal; CAMHS referral made.",
        "Low mood and self-harm; safety plan agreed.",
    ),
    "physical_health": (
        "Complex disability; needs equipment at home and at school.",
    ),
    "housing": (
        "Family in temporary accommodation, overcrowded.",
    ),
}

# Titles of open tasks, by the service of the team that owns them.
TASK_TITLES = {
    "community_therapy": (
        "Review home exercise programme", "Assess for bathing equipment",
        "Home visit: falls risk assessment", "Order a perching stool and toilet frame",
    ),
    "district_nursing": (
        "Wound dressing review", "Insulin review visit", "Check pressure areas",
        "Catheter change due",
    ),
    "adult_social_work": (
        "Carry out Care Act assessment", "Review care and support plan", "Carer's assessment",
        "Safeguarding enquiry: follow-up visit",
    ),
    "community_mental_health": (
        "Review care plan with client", "Depot due", "Crisis plan review",
    ),
    "memory_service": (
        "Memory assessment appointment", "Post-diagnostic support visit",
    ),
    "reablement": (
        "Reablement review at week two", "Plan end of reablement",
    ),
    "rapid_response": (
        "Two-hour urgent visit follow-up", "Check after fall at home",
    ),
    "childrens_social_work": (
        "Child protection visit", "Strategy meeting notes",
    ),
    "mdt": (
        "Bring to next MDT meeting", "Agree accountable team",
    ),
    "brokerage": (
        "Source a package of care", "Confirm start date with care provider",
    ),
    "social_prescribing": (
        "Connect with the befriending service", "Help to apply for Attendance Allowance",
    ),
}

REGISTRATION_REASONS = (
    "Referral accepted from GP", "Discharged from hospital (Discharge to Assess pathway 1)",
    "Self-referral", "Referral from the Rapid Response team",
    "Referral accepted from the locality MDT", "Referral from a family member",
    "Discharged from hospital (Discharge to Assess pathway 2)",
)
HANDOVER_REASONS = (
    "Referral accepted", "Handover after reablement ended", "Handover after the urgent episode",
    "Decided by the locality MDT", "Needs changed: transferred after review",
)
# fmt: on
