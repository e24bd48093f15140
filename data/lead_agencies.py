"""Lead agencies per topic of the RTCM Regional Migration Curriculum.

For each topic, the lead agencies are the specialised organisations, among the resource
persons the curriculum lists for that topic, whose mandate is the subject of the course:
UNHCR for refugee protection, asylum and statelessness, WHO for health, ILO for labour
migration, UNODC for trafficking and smuggling, UN Women for gender, UNICEF for children,
and so on. The planning rule built on this table is that at least one person from one of
a topic's lead agencies delivers part of each edition of that topic.

How the table was chosen:

- A topic's lead agencies are always a subset of the organisations its resource-person
  lines name (``resource_persons`` in ``rtcm_curriculum.json``); no organisation is added
  that the curriculum does not name for that topic.
- Only the agencies whose mandate matches the topic are kept, usually one or two, never
  more than three. An agency listed for a side session (a child-rights session in a
  detention course, say) is a contributor, not a lead.
- IOM is not a lead agency: it is on every course through the team rules. Neither are the
  RTCM pools of trainers and experts, ToT trainers, country representatives, academia or
  NGOs. Media outlets lead only the course written for the media (M2.T10), which names
  them; no topic is led by the private sector.
- A topic whose resource persons are only IOM and pools, or whose listed agencies are
  not the subject's specialists, has no row.
- The curriculum spells the Office of the High Commissioner for Human Rights "UNOCHR" in
  several places; it is read as OHCHR, as the loader does.

``line`` is the line of the curriculum text (the "L" numbers used in the project's
documentation) of the resource-person line naming the row's first organisation; it lies
between the topic's heading (``source_line``) and the next topic's heading.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LeadRow:
    """The lead agencies of one topic and where the curriculum names the first of them."""

    topic: str
    organisations: tuple[str, ...]
    line: int
    why: str


LEAD_AGENCIES: tuple[LeadRow, ...] = (
    # Module 1: migration governance
    LeadRow("M1.T10", ("OHCHR", "UNHCR"), 1710,
            "international migration law rests on human rights law and refugee law"),
    LeadRow("M1.T11", ("COE",), 1792,
            "human rights of migrants, with the ECHR and its case law, is the Council of Europe's mandate"),
    LeadRow("M1.T12", ("UN-WOMEN",), 1876, "women's migration is UN Women's mandate"),
    # Module 2: preventing and combatting irregular migration
    LeadRow("M2.T1", ("UNODC",), 2056, "combatting irregular migration and smuggling is UNODC's mandate"),
    LeadRow("M2.T2", ("ICMPD", "UNODC"), 2172,
            "integrated border management is ICMPD's specialism; cross-border crime is UNODC's"),
    LeadRow("M2.T5", ("UNODC",), 2415, "migrant smuggling is UNODC's mandate"),
    LeadRow("M2.T6", ("UNODC",), 2520, "trafficking in persons is UNODC's mandate"),
    LeadRow("M2.T7", ("UNHCR", "OHCHR"), 2614,
            "detention standards for asylum-seekers and migrants are UNHCR's and OHCHR's"),
    LeadRow("M2.T8", ("IMO", "UNHCR"), 2706,
            "search and rescue at sea is IMO's mandate; non-refoulement at sea is UNHCR's"),
    LeadRow("M2.T9", ("OHCHR",), 2795, "the rights of irregular migrants are OHCHR's mandate"),
    LeadRow("M2.T10", ("UNODC", "MEDIA"), 2877,
            "trafficking is UNODC's mandate; the course is written for the media"),
    # Module 3: legal migration
    LeadRow("M3.T1", ("ILO",), 3033, "regular labour migration standards are ILO's mandate"),
    LeadRow("M3.T2", ("ILO",), 3107, "the legal framework of labour migration is ILO's mandate"),
    LeadRow("M3.T3", ("ILO",), 3185, "labour migration law is ILO's mandate"),
    LeadRow("M3.T4", ("ILO",), 3276, "labour migration policy is ILO's mandate"),
    LeadRow("M3.T5", ("EU",), 3360, "visa facilitation and mobility dialogues are EU policy"),
    LeadRow("M3.T6", ("ILO",), 3435, "skilled labour migration and skills recognition are ILO's mandate"),
    LeadRow("M3.T8", ("UNICEF", "UNFPA"), 3584,
            "children in separated families are UNICEF's mandate; family and population are UNFPA's"),
    LeadRow("M3.T9", ("UNICEF",), 3669, "children are UNICEF's mandate"),
    LeadRow("M3.T10", ("UNICEF", "ILO"), 3765,
            "young migrants are UNICEF's mandate; youth employment is ILO's"),
    # Module 4: migration in crisis and international protection
    LeadRow("M4.T1", ("UNHCR",), 4099, "refugees and IDPs in crises are UNHCR's mandate"),
    LeadRow("M4.T2", ("UNHCR", "OHCHR"), 4159,
            "international protection and human rights protection instruments are UNHCR's and OHCHR's"),
    LeadRow("M4.T3", ("ICRC", "UNOCHA"), 4231,
            "humanitarian crisis response and its coordination are ICRC's and OCHA's mandates"),
    LeadRow("M4.T4", ("UNHCR",), 4293, "emergency preparedness for displacement is UNHCR's mandate"),
    LeadRow("M4.T5", ("UN-WOMEN",), 4357, "gender mainstreaming is UN Women's mandate"),
    LeadRow("M4.T6", ("OHCHR", "OECD", "WB"), 4431,
            "migrants' human rights are OHCHR's; mobility and economic impact data are OECD's and the World Bank's"),
    LeadRow("M4.T7", ("UNHCR",), 4517, "refugee protection is UNHCR's mandate"),
    LeadRow("M4.T8", ("UNHCR",), 4609, "asylum procedures and durable solutions are UNHCR's mandate"),
    LeadRow("M4.T9", ("UNHCR",), 4726, "subsidiary and temporary protection are UNHCR's mandate"),
    LeadRow("M4.T10", ("UNHCR", "ICRC"), 4806,
            "IDP protection is UNHCR's mandate; conflict-displaced persons are ICRC's"),
    LeadRow("M4.T11", ("UNHCR",), 4881, "statelessness is UNHCR's mandate"),
    LeadRow("M4.T12", ("UNICEF",), 4961,
            "protecting children from violence, exploitation and abuse is UNICEF's mandate"),
    LeadRow("M4.T13", ("UNHCR", "UNOCHA"), 5035,
            "mass influx protection is UNHCR's mandate; humanitarian coordination is OCHA's"),
    LeadRow("M4.T14", ("OHCHR", "COE"), 5113,
            "racism and xenophobia are OHCHR's mandate and, through ECRI, the Council of Europe's"),
    # Module 5: migration and development
    LeadRow("M5.T1", ("UNDP",), 5283, "sustainable development is UNDP's mandate"),
    LeadRow("M5.T2", ("UNDP",), 5389, "national development planning is UNDP's mandate"),
    LeadRow("M5.T3", ("WB", "UNCTAD"), 5503,
            "remittance flows and costs are the World Bank's field; UNCTAD frames their development impact"),
    LeadRow("M5.T4", ("UN-WOMEN",), 5605, "women's economic empowerment is UN Women's mandate"),
    LeadRow("M5.T6", ("ILO", "OECD"), 5817,
            "skills recognition is ILO's mandate; brain drain data and policy are OECD's field"),
    # Module 7: migration, environment and climate change
    LeadRow("M7.T1", ("UNDP",), 6485, "environment and climate adaptation are UNDP's field among those listed"),
    LeadRow("M7.T2", ("CAREC", "UNDP"), 6572,
            "the environment of Central Asia is CAREC's mandate; climate adaptation is UNDP's"),
    LeadRow("M7.T3", ("CAREC", "UNDP"), 6675,
            "the environment of Central Asia is CAREC's mandate; climate adaptation is UNDP's"),
    LeadRow("M7.T4", ("UNHCR", "CAREC"), 6787,
            "cross-border disaster displacement is UNHCR's mandate; the regional environment is CAREC's"),
    # Module 8: migration and health
    LeadRow("M8.T1", ("WHO",), 6952, "health is WHO's mandate"),
    LeadRow("M8.T2", ("WHO",), 7048, "health is WHO's mandate"),
    LeadRow("M8.T3", ("WHO",), 7137, "health planning is WHO's mandate"),
    LeadRow("M8.T4", ("WHO",), 7238, "health care is WHO's mandate"),
    LeadRow("M8.T5", ("WHO", "UNHCR"), 7342,
            "health in emergencies is WHO's mandate; health in refugee camps is UNHCR's"),
)


def lead_agencies() -> dict[str, tuple[str, ...]]:
    """Topic id -> its lead agencies, in catalogue order; topics with none are absent."""
    return {row.topic: row.organisations for row in LEAD_AGENCIES}
