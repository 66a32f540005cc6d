"""The sample study's interviews as data: written for TranscriptMiner, not quoted from anywhere.

Each interview is a list of (speaker, text) turns; "I" is the interviewer, "P" the participant.
make_corpus.py renders them into the formats researchers meet: Word, TEI, Transcriber, ELAN,
WebVTT and plain text.
"""

Q_ROUTE = "Could you start by telling me how you came to be working with AI?"
Q_PATHWAY = "Was there a pathway you followed, or anyone who guided you?"
Q_CLINICAL = "Do you still do clinical work, and why or why not?"
Q_CHALLENGES = "What have been the biggest challenges of working in this space?"
Q_CULTURE = "How does working with tech companies compare with working in the NHS?"
Q_HYPE = "What do you make of the way AI is talked about at the moment?"
Q_FRONTLINE = "Should frontline clinicians be involved in developing AI, and what stops them?"
Q_EDUCATION = "What should doctors be taught about AI, and when?"
Q_END = "Is there anything else you would like to add?"

INTERVIEWS = {
    "P1": [
        ("I", "Thank you for joining me today. " + Q_ROUTE),
        ("P", "Honestly it was serendipity. A friend from medical school posted a job advert on social media "
              "for a clinical role in an AI start-up, and I applied on a whim during my second foundation year."),
        ("I", Q_PATHWAY),
        ("P", "There was no structured pathway at all. Nobody in my trust had done anything like it, so I "
              "relied on intuition and a lot of cold emails. I had no mentorship to speak of."),
        ("I", "How did your colleagues react?"),
        ("P", "Some thought I was leaving medicine. One consultant told me I was wasting my training, which "
              "stung, but others were curious and asked how they could get involved."),
        ("I", Q_CLINICAL),
        ("P", "Not at the moment. I miss patient contact and the camaraderie of the ward, I really do, but the "
              "work-life balance is so much better. Predictable hours, less stress, and I can plan a weekend."),
        ("I", Q_CHALLENGES),
        ("P", "The learning curve was steep. I had never written code, so I took evening courses in Python. "
              "And getting access to patient data is slow; every project needs months of governance."),
        ("I", Q_HYPE),
        ("P", "There is a lot of hype. People imagine a robot doctor, but what we build is narrow: one model "
              "that reads one kind of scan. It is not a panacea and it will not replace doctors."),
        ("I", Q_EDUCATION),
        ("P", "It should start in medical school. Not everyone needs to code, but everyone should understand "
              "what a model can and cannot do, and how to critically evaluate a claim."),
        ("I", Q_END),
        ("P", "Only that juniors need to know this is a legitimate career. I wish someone had told me earlier."),
    ],
    "P2": [
        ("I", Q_ROUTE),
        ("P", "I came at it from research. As a consultant I was already running trials, and a university "
              "group asked whether our imaging data could train a model. That partnership grew from there."),
        ("I", Q_CLINICAL),
        ("P", "I split my time half and half. The clinical work keeps me credible with colleagues; if I stopped, "
              "I think people would stop listening to me. It is part of my identity as a doctor."),
        ("I", Q_CHALLENGES),
        ("P", "Interoperability is the big one. Our legacy IT cannot talk to the new systems, and every hospital "
              "has a different setup. Integrating a tool into the clinical workflow takes far longer than "
              "building it."),
        ("I", "And regulation?"),
        ("P", "There is no regulatory standard that everyone agrees on. Companies do not know what evidence they "
              "need, and clinicians do not know what to trust. Clinical safety has to come first."),
        ("I", Q_FRONTLINE),
        ("P", "Absolutely they should, but there is no protected time. My job plan has no space for it; I do the "
              "AI work in the evenings. Staff pressure on the wards means nobody can be released."),
        ("I", Q_HYPE),
        ("P", "I worry about misinformation. Headlines say an algorithm beats doctors, then you read the paper "
              "and it was tested on a tiny, tidy dataset. We need quality over quantity in the evidence."),
        ("I", Q_END),
        ("P", "Co-development is the answer. Build it with clinicians from the start, not as an afterthought."),
    ],
    "P3": [
        ("I", Q_ROUTE),
        ("P", "I have been interested in technology since childhood, taking computers apart. I was one of the few "
              "doctors I knew with coding experience, so when a registrar post with a digital element came up I "
              "went for it, and later I founded a consultancy."),
        ("I", Q_CULTURE),
        ("P", "It is a culture clash. Tech runs on move fast and break things; medicine has to go slow and safe. "
              "Neither is wrong, but when you sit between them you feel it every day."),
        ("I", "Can you give an example?"),
        ("P", "A product manager wanted to ship a triage feature in two weeks. I raised a red flag about clinical "
              "safety and was told I was blocking progress. I felt unheard, honestly undervalued."),
        ("I", "How was that resolved?"),
        ("P", "Senior leadership stepped in. The chief executive set a culture of openness where anyone could "
              "raise a concern, and we built a common language between engineers and clinicians. Trust took time."),
        ("I", Q_CHALLENGES),
        ("P", "Commercial targets against a public service ethos. Investors want growth, the NHS wants value for "
              "patients. And companies work in silos, nobody shares what failed, so everyone repeats mistakes."),
        ("I", Q_FRONTLINE),
        ("P", "Frontline clinicians must be involved, or products will not fit how care is delivered. But they "
              "need protected time and recognition, not goodwill squeezed out of lunch breaks."),
        ("I", Q_END),
        ("P", "Leadership matters more than technology. Humility on both sides is what makes it work."),
    ],
    "P4": [
        ("I", Q_ROUTE),
        ("P", "Frustration, partly. I wanted scalable impact; on a ward I help one patient at a time, but a good "
              "tool could help thousands. The restrictions of the health system made me look outside."),
        ("I", Q_PATHWAY),
        ("P", "No pathway. I found an industry partnership through a digital consultancy and learned by doing. "
              "A mentor would have saved me years."),
        ("I", Q_CHALLENGES),
        ("P", "Small companies struggle to form partnerships with trusts and to provide evidence. Procurement is "
              "slow, and a start-up can run out of money waiting for a pilot to be approved."),
        ("I", "How do you cope with that uncertainty?"),
        ("P", "You have to be comfortable with risk. There is less job stability outside the NHS; contracts end, "
              "companies fold. I accept that in exchange for autonomy and the chance to innovate."),
        ("I", Q_HYPE),
        ("P", "The hype cycle is real. Every conference has a keynote promising a revolution, and then the pilot "
              "quietly ends. Explainability matters too: clinicians will not act on a black box."),
        ("I", Q_EDUCATION),
        ("P", "Digital health broadly, not only AI. Data, information governance, how software is regulated. "
              "Electives and internships with companies would give practical skills, not just awareness."),
        ("I", Q_END),
        ("P", "Flexible careers would keep people in medicine who would otherwise leave for good."),
    ],
    "P5": [
        ("I", Q_ROUTE),
        ("P", "I joined a graduate scheme in a tech company straight after my medical degree. It was not planned; "
              "a careers fair stand caught my eye and the work sounded like problem solving at scale."),
        ("I", Q_CLINICAL),
        ("P", "I have not practised since graduating. Sometimes I feel I lack clinical credibility in meetings, "
              "so I lean on colleagues who still work on the wards."),
        ("I", Q_CHALLENGES),
        ("P", "The steep learning curve in commerce, more than technology. Pricing, sales, contracts: medical "
              "school teaches none of it. And the data access problems slow every project down."),
        ("I", Q_CULTURE),
        ("P", "People move faster and there is less hierarchy. I like that. But there is pressure to hit "
              "commercial targets, and sometimes that sits uneasily with what patients need."),
        ("I", Q_FRONTLINE),
        ("P", "Yes, co-development with clinicians makes better products. The barrier is time: clinicians have "
              "no protected time, and companies rarely pay for it."),
        ("I", Q_EDUCATION),
        ("P", "Teach it at medical school as part of the curriculum, with guidelines so it is not left to "
              "enthusiasts. An intercalated degree in digital health would be brilliant."),
        ("I", Q_END),
        ("P", "No, I think that covers it. Thank you."),
    ],
    "P6": [
        ("I", Q_ROUTE),
        ("P", "I am a full-time clinician and I work on AI in my spare time. I started a small company after "
              "seeing how much time we waste on paperwork in clinic."),
        ("I", "How do you fit it in?"),
        ("P", "Evenings and weekends. There is no protected time for this. My department is short-staffed, so "
              "asking for sessions would mean a colleague covers my patients, and I will not do that."),
        ("I", Q_CHALLENGES),
        ("P", "Regulation and evidence. We need clinical evidence before anyone will buy the product, but "
              "generating evidence costs money we do not have. It is a catch-22 for small companies."),
        ("I", Q_HYPE),
        ("P", "Most of what I read is hype. AI will not replace doctors; it might take away some of the tedious "
              "work so we can spend time with patients. That is the honest pitch."),
        ("I", "Does it affect clinical autonomy?"),
        ("P", "I fear it could. If a tool makes a recommendation and I disagree, who is responsible? The black "
              "box problem is not theoretical for me; I face it in clinic."),
        ("I", Q_END),
        ("P", "Flexible careers. Let people do both without having to choose."),
    ],
    "P7": [
        ("I", Q_ROUTE),
        ("P", "I was a GP partner and became frustrated with the system's restrictions. A health tech company "
              "asked me to advise on a symptom checker, and within a year I was their medical director for AI."),
        ("I", Q_CLINICAL),
        ("P", "I still do one day a week in general practice. It keeps me grounded and credible; I see what the "
              "tools look like from the patient's side of the desk."),
        ("I", Q_CULTURE),
        ("P", "The culture clash is real. Engineers want to iterate quickly, and I am the one saying slow down, "
              "show me the clinical safety case. Over time we built trust and shared goals."),
        ("I", Q_CHALLENGES),
        ("P", "Companies working in silos. Everyone is solving the same problems of data access and "
              "interoperability, but nobody shares. And there is no regulatory standard for continuous learning "
              "systems."),
        ("I", Q_FRONTLINE),
        ("P", "Doctors have a responsibility to shape this. Quality over quantity: a few engaged clinicians who "
              "understand the workflow are worth more than a hundred names on an advisory board."),
        ("I", Q_HYPE),
        ("P", "Hype and misinformation do damage. When a product overpromises, clinicians become cynical about "
              "the whole field. We have to critically evaluate every claim, including our own."),
        ("I", Q_END),
        ("P", "Leadership that fosters openness is what I would ask for."),
    ],
    "P8": [
        ("I", Q_ROUTE),
        ("P", "Through policy. As a junior doctor I worked on a national digital fellowship, then I led an "
              "accelerator programme for health tech start-ups."),
        ("I", Q_PATHWAY),
        ("P", "There was no structured pathway; fellowships are few and competitive. I had mentorship from one "
              "senior leader, which made all the difference, but that was luck."),
        ("I", Q_CHALLENGES),
        ("P", "Start-ups in the accelerator all hit the same walls: access to data, interoperability with legacy "
              "IT, and trusts that cannot evaluate the evidence. Partnerships take far too long."),
        ("I", Q_CULTURE),
        ("P", "Commercial targets and a public service ethos can coexist, but only with honesty. The companies "
              "that did well had leaders who admitted uncertainty and listened to clinicians."),
        ("I", Q_FRONTLINE),
        ("P", "Yes. But clinicians are stretched; staff pressure is enormous. Without protected time, engagement "
              "is limited to the few who sacrifice their evenings."),
        ("I", Q_EDUCATION),
        ("P", "Awareness for everyone and practical skills for those who want them. Internships and electives "
              "in industry would help, and curriculum guidelines so every school does something."),
        ("I", Q_END),
        ("P", "Retaining doctors should be part of this conversation. Flexible careers keep people in the NHS."),
    ],
    "P9": [
        ("I", Q_ROUTE),
        ("P", "I trained as a surgeon and moved into an AI company after a research project on operating theatre "
              "video. It was a chance opening, really."),
        ("I", Q_CLINICAL),
        ("P", "I stopped operating. I miss the theatre team and the patients, but I do not miss the rota. My "
              "job satisfaction now comes from building something new."),
        ("I", Q_CHALLENGES),
        ("P", "Learning the language of engineers. At first I did not understand half of the meetings. And the "
              "regulation of software as a medical device is still unclear to most people."),
        ("I", Q_HYPE),
        ("P", "It is narrow AI, not general AI. Our model recognises instruments on a video; it does not "
              "understand surgery. The hype makes people either scared or disappointed."),
        ("I", Q_FRONTLINE),
        ("P", "Surgeons should be involved in co-development, otherwise products will not fit the workflow in "
              "theatre. But protected time does not exist for this kind of work."),
        ("I", Q_END),
        ("P", "Education. Teach trainees enough to critically evaluate these tools."),
    ],
    "P10": [
        ("I", Q_ROUTE),
        ("P", "I am a GP and I work on policy and ethics of AI two days a week. I wrote a blog post about "
              "algorithmic bias and was invited onto a national working group."),
        ("I", Q_CLINICAL),
        ("P", "Yes, sixty per cent of my week. Clinical work keeps me credible and it is who I am. I would not "
              "give it up for a full-time tech role."),
        ("I", Q_CHALLENGES),
        ("P", "Regulation lags behind. There is no regulatory standard for how a model should be monitored "
              "after deployment, and patients are not told when AI is involved in their care."),
        ("I", Q_FRONTLINE),
        ("P", "Clinicians must be heard. In working groups I have felt undervalued at times, as if clinical "
              "concerns slowed the real work. That has to change."),
        ("I", Q_HYPE),
        ("P", "The hype worries me less than the silence about limitations. Explainability, bias, safety: these "
              "should be in the headline, not the footnote."),
        ("I", Q_EDUCATION),
        ("P", "From medical school onwards, and with protected time for qualified doctors to learn."),
    ],
    "P11": [
        ("I", Q_ROUTE),
        ("P", "After foundation training I did locum shifts and joined a health tech company. I had always "
              "been interested in technology, and locum work gave me the flexibility to try it."),
        ("I", Q_CLINICAL),
        ("P", "I still do the occasional locum shift to keep my skills up and stay credible. It also reminds "
              "me why the work matters."),
        ("I", Q_CHALLENGES),
        ("P", "Job stability. I have been through one company folding already. You need to be comfortable "
              "with uncertainty and risk, and have a plan B."),
        ("I", Q_CULTURE),
        ("P", "There is a clash between move fast and the NHS's caution. I have learned to translate between "
              "the two, building a common language so both sides feel heard."),
        ("I", Q_HYPE),
        ("P", "Too much hype. AI is not going to replace doctors. It can help with specific tasks, and we "
              "should say so plainly."),
        ("I", Q_EDUCATION),
        ("P", "Digital health in the curriculum, with electives in companies. And protected time for "
              "clinicians who want to take part in development."),
        ("I", Q_END),
        ("P", "Mentorship. I would like to see a proper scheme for doctors entering this field."),
    ],
}
