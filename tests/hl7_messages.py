"""ADT messages for tests, built field by field (HL7 v2.4, ITK style: NHS number in PID-3)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

_ids = itertools.count(1)


@dataclass
class Patient:
    nhs_number: str
    family: str = "SMITH"
    given: str = "JOAN"
    born: str = "19400517"
    sex: str = "F"
    practice: str = "F84001"
    lives: str = ""  # PD1-2 living arrangement: A = alone
    status: str = ""  # PID-32, e.g. NSTS01


@dataclass
class Adt:
    trigger: str
    patient: Patient
    at: str = "20250106143000"  # event time (EVN-6, and PV1-44/45 where it applies)
    ward: str = "WARD7^BAY2^BED3"
    prior_ward: str = ""
    visit: str = "V100"
    facility: str = "RCB"
    control_id: str = field(default_factory=lambda: f"MSG{next(_ids):06d}")
    admitted: str = ""
    discharged: str = ""
    destination: str = ""
    diagnoses: tuple[tuple[str, str], ...] = ()
    message_type: str = "ADT"
    version: str = "2.4"
    ending: str = "\r"

    def text(self) -> str:
        p = self.patient
        pid3 = f"H{p.nhs_number[-6:]}^^^RCB^MR~{p.nhs_number}^^^NHS^NH" if p.nhs_number else f"H{next(_ids)}^^^RCB^MR"
        pid = [
            "PID",
            "1",
            "",
            pid3,
            "",
            f"{p.family}^{p.given}^^^^^L",
            "",
            p.born,
            p.sex,
            "",
            "",
            "1 Wharf Road^^London^^XT1 1AA",
            "",
            "020 7946 0000",
        ]
        pid += [""] * (32 - len(pid)) + [p.status] if p.status else []
        admitted = self.admitted or (self.at if self.trigger in ("A01", "A04") else "")
        discharged = self.discharged or (self.at if self.trigger == "A03" else "")
        pv1 = ["PV1", "1", "I", self.ward, "", "", self.prior_ward] + [""] * 12 + [self.visit] + [""] * 16
        pv1 += [self.destination, ""] if len(pv1) == 36 else []
        pv1 = (pv1 + [""] * 46)[:46]
        pv1[36], pv1[37], pv1[44], pv1[45] = "", self.destination, admitted, discharged
        segments = [
            f"MSH|^~\\&|PAS|{self.facility}|JOINEDUP|THAMESIDE|{self.at}||{self.message_type}^{self.trigger}"
            f"|{self.control_id}|P|{self.version}",
            f"EVN|{self.trigger}|{self.at}||||{self.at}",
            "|".join(pid),
            f"PD1||{p.lives}|{'GP PRACTICE^^' + p.practice if p.practice else ''}",
            "|".join(pv1).rstrip("|"),
        ]
        segments += [f"DG1|{n}||{code}^{text}^I10||{self.at}|F" for n, (code, text) in enumerate(self.diagnoses, 1)]
        return self.ending.join(segments) + self.ending

    def bytes(self) -> bytes:
        return self.text().encode()
