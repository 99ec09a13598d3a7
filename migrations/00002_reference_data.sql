-- Reference data: probation regions, PCC areas, service categories, contract types, complexity levels,
-- desired outcomes and withdrawal reasons. The rows come from ../shared/reference/*.csv; the complexity
-- descriptions and desired outcomes are the platform's own wording. Admins may edit these tables later,
-- so the IDs and codes here are stable keys, never renumbered.

-- +goose Up

CREATE TABLE regions (
    code text PRIMARY KEY,
    name text NOT NULL
);

COMMENT ON TABLE regions IS 'Probation regions, codes A to L; listed by code.';

INSERT INTO regions (code, name) VALUES
    ('A', 'North East'),
    ('B', 'North West'),
    ('C', 'Yorkshire and the Humber'),
    ('D', 'Wales'),
    ('E', 'West Midlands'),
    ('F', 'East Midlands'),
    ('G', 'South West'),
    ('H', 'South Central'),
    ('I', 'East of England'),
    ('J', 'London'),
    ('K', 'Kent, Surrey and Sussex'),
    ('L', 'Greater Manchester');

CREATE TABLE pcc_areas (
    code text PRIMARY KEY,
    name text NOT NULL,
    region_code text NOT NULL REFERENCES regions,
    position int NOT NULL CHECK (position > 0)
);

CREATE INDEX pcc_areas_region_code_idx ON pcc_areas (region_code);

COMMENT ON TABLE pcc_areas IS 'Police and Crime Commissioner areas; each lies in exactly one region.';

INSERT INTO pcc_areas (code, name, region_code, position) VALUES
    ('cleveland', 'Cleveland', 'A', 1),
    ('durham', 'Durham', 'A', 2),
    ('northumbria', 'Northumbria', 'A', 3),
    ('cheshire', 'Cheshire', 'B', 4),
    ('cumbria', 'Cumbria', 'B', 5),
    ('lancashire', 'Lancashire', 'B', 6),
    ('merseyside', 'Merseyside', 'B', 7),
    ('humberside', 'Humberside', 'C', 8),
    ('north-yorkshire', 'North Yorkshire', 'C', 9),
    ('south-yorkshire', 'South Yorkshire', 'C', 10),
    ('west-yorkshire', 'West Yorkshire', 'C', 11),
    ('dyfed-powys', 'Dyfed-Powys', 'D', 12),
    ('gwent', 'Gwent', 'D', 13),
    ('north-wales', 'North Wales', 'D', 14),
    ('south-wales', 'South Wales', 'D', 15),
    ('staffordshire', 'Staffordshire', 'E', 16),
    ('warwickshire', 'Warwickshire', 'E', 17),
    ('west-mercia', 'West Mercia', 'E', 18),
    ('west-midlands', 'West Midlands', 'E', 19),
    ('derbyshire', 'Derbyshire', 'F', 20),
    ('leicestershire', 'Leicestershire', 'F', 21),
    ('lincolnshire', 'Lincolnshire', 'F', 22),
    ('nottinghamshire', 'Nottinghamshire', 'F', 23),
    ('avon-and-somerset', 'Avon & Somerset', 'G', 24),
    ('devon-and-cornwall', 'Devon & Cornwall', 'G', 25),
    ('dorset', 'Dorset', 'G', 26),
    ('gloucestershire', 'Gloucestershire', 'G', 27),
    ('wiltshire', 'Wiltshire', 'G', 28),
    ('hampshire', 'Hampshire', 'H', 29),
    ('thames-valley', 'Thames Valley', 'H', 30),
    ('bedfordshire', 'Bedfordshire', 'I', 31),
    ('cambridgeshire', 'Cambridgeshire', 'I', 32),
    ('essex', 'Essex', 'I', 33),
    ('hertfordshire', 'Hertfordshire', 'I', 34),
    ('norfolk', 'Norfolk', 'I', 35),
    ('northamptonshire', 'Northamptonshire', 'I', 36),
    ('suffolk', 'Suffolk', 'I', 37),
    ('metropolitan', 'London (Metropolitan Police)', 'J', 38),
    ('kent', 'Kent', 'K', 39),
    ('surrey', 'Surrey', 'K', 40),
    ('sussex', 'Sussex', 'K', 41),
    ('greater-manchester', 'Greater Manchester', 'L', 42);

CREATE TABLE service_categories (
    code text PRIMARY KEY,
    name text NOT NULL,
    position int NOT NULL CHECK (position > 0)
);

COMMENT ON TABLE service_categories IS 'Need areas a referral can ask for; each belongs to one or more contract types.';

INSERT INTO service_categories (code, name, position) VALUES
    ('ACCOMMODATION', 'Accommodation', 1),
    ('ETE', 'Education, Training and Employment', 2),
    ('EMOTIONAL_WELLBEING', 'Emotional Wellbeing', 3),
    ('FAMILY_AND_SIGNIFICANT_OTHERS', 'Family and Significant Others', 4),
    ('LIFESTYLE_AND_ASSOCIATES', 'Lifestyle and Associates', 5),
    ('SOCIAL_INCLUSION', 'Social Inclusion', 6),
    ('DEPENDENCY_AND_RECOVERY', 'Dependency and Recovery', 7),
    ('FINANCE_BENEFIT_AND_DEBT', 'Finance, Benefit and Debt', 8);

CREATE TABLE contract_types (
    code text PRIMARY KEY,
    name text NOT NULL,
    position int NOT NULL CHECK (position > 0)
);

COMMENT ON TABLE contract_types IS 'What a contract delivers; a referral picks categories of its contract type.';

INSERT INTO contract_types (code, name, position) VALUES
    ('ACC', 'Accommodation', 1),
    ('ETE', 'Education, Training and Employment', 2),
    ('PWB', 'Personal Wellbeing', 3),
    ('WOS', 'Women''s Services', 4),
    ('DNR', 'Dependency and Recovery', 5),
    ('FBD', 'Finance, Benefit and Debt', 6);

CREATE TABLE contract_type_categories (
    contract_type_code text REFERENCES contract_types,
    service_category_code text REFERENCES service_categories,
    position int NOT NULL CHECK (position > 0),
    PRIMARY KEY (contract_type_code, service_category_code)
);

CREATE INDEX contract_type_categories_service_category_code_idx
    ON contract_type_categories (service_category_code);

COMMENT ON TABLE contract_type_categories IS 'The service categories each contract type offers, in the order offered.';

INSERT INTO contract_type_categories (contract_type_code, service_category_code, position) VALUES
    ('ACC', 'ACCOMMODATION', 1),
    ('ETE', 'ETE', 1),
    ('PWB', 'EMOTIONAL_WELLBEING', 1),
    ('PWB', 'FAMILY_AND_SIGNIFICANT_OTHERS', 2),
    ('PWB', 'LIFESTYLE_AND_ASSOCIATES', 3),
    ('PWB', 'SOCIAL_INCLUSION', 4),
    ('WOS', 'ACCOMMODATION', 1),
    ('WOS', 'DEPENDENCY_AND_RECOVERY', 2),
    ('WOS', 'ETE', 3),
    ('WOS', 'EMOTIONAL_WELLBEING', 4),
    ('WOS', 'FAMILY_AND_SIGNIFICANT_OTHERS', 5),
    ('WOS', 'FINANCE_BENEFIT_AND_DEBT', 6),
    ('WOS', 'LIFESTYLE_AND_ASSOCIATES', 7),
    ('WOS', 'SOCIAL_INCLUSION', 8),
    ('DNR', 'DEPENDENCY_AND_RECOVERY', 1),
    ('FBD', 'FINANCE_BENEFIT_AND_DEBT', 1);

CREATE TABLE complexity_levels (
    service_category_code text REFERENCES service_categories,
    level text CHECK (level IN ('LOW', 'MEDIUM', 'HIGH')),
    description text NOT NULL,
    position int NOT NULL CHECK (position > 0),
    PRIMARY KEY (service_category_code, level)
);

COMMENT ON TABLE complexity_levels IS 'What each complexity level means for a service category; position orders LOW, MEDIUM, HIGH.';

INSERT INTO complexity_levels (service_category_code, level, description, position) VALUES
    ('ACCOMMODATION', 'LOW', 'The person has somewhere settled to live but needs some advice or practical help to keep it.', 1),
    ('ACCOMMODATION', 'MEDIUM', 'The person''s housing is insecure, unsuitable or about to end, and they need active help to keep it or to find a suitable place.', 2),
    ('ACCOMMODATION', 'HIGH', 'The person is homeless or has nowhere safe to go on release, and faces several barriers that need intensive support before they can find a home.', 3),
    ('ETE', 'LOW', 'The person is ready to work or study and mainly needs guidance, such as help with a CV, applications or choosing a course.', 1),
    ('ETE', 'MEDIUM', 'The person has gaps in skills, qualifications or work history and needs regular support to move towards training or a job.', 2),
    ('ETE', 'HIGH', 'The person is a long way from work, with little or no work history, weak basic skills or other serious barriers, and needs sustained one-to-one help.', 3),
    ('EMOTIONAL_WELLBEING', 'LOW', 'The person copes with daily life most of the time but would benefit from help to manage stress, worry or low mood.', 1),
    ('EMOTIONAL_WELLBEING', 'MEDIUM', 'The person''s emotional difficulties often get in the way of daily life and relationships, and they need structured support to build ways of coping.', 2),
    ('EMOTIONAL_WELLBEING', 'HIGH', 'The person has serious and long-standing emotional difficulties, often alongside other needs, and needs intensive support and links to specialist services.', 3),
    ('FAMILY_AND_SIGNIFICANT_OTHERS', 'LOW', 'The person''s relationships with family or a partner are mostly stable but they want help with communication or with one particular strain.', 1),
    ('FAMILY_AND_SIGNIFICANT_OTHERS', 'MEDIUM', 'The person''s close relationships are under real strain or have broken down in places, and they need regular support to rebuild contact or handle conflict.', 2),
    ('FAMILY_AND_SIGNIFICANT_OTHERS', 'HIGH', 'The person''s close relationships are chaotic, harmful or cut off, sometimes with children''s services involved, and they need intensive support.', 3),
    ('LIFESTYLE_AND_ASSOCIATES', 'LOW', 'The person already has some positive ways to spend their time and needs encouragement to build on them.', 1),
    ('LIFESTYLE_AND_ASSOCIATES', 'MEDIUM', 'The person spends much of their time with people or in places linked to offending and needs regular support to make different choices.', 2),
    ('LIFESTYLE_AND_ASSOCIATES', 'HIGH', 'The person''s daily life and friendships are bound up with offending, and they need intensive support to break away and build a new routine.', 3),
    ('SOCIAL_INCLUSION', 'LOW', 'The person is mostly connected to their community but needs help with a particular practical task, such as getting identification.', 1),
    ('SOCIAL_INCLUSION', 'MEDIUM', 'The person is isolated or struggles to use everyday services, and needs regular support to build confidence and connections.', 2),
    ('SOCIAL_INCLUSION', 'HIGH', 'The person is cut off from their community and most services, often facing discrimination or other barriers, and needs sustained, intensive support.', 3),
    ('DEPENDENCY_AND_RECOVERY', 'LOW', 'The person uses drugs or alcohol occasionally or with some control, and wants advice and encouragement to keep it that way.', 1),
    ('DEPENDENCY_AND_RECOVERY', 'MEDIUM', 'The person''s use of drugs or alcohol regularly causes problems in their life, and they need ongoing support to cut down and take up treatment.', 2),
    ('DEPENDENCY_AND_RECOVERY', 'HIGH', 'The person is dependent on drugs or alcohol, with serious harm to their health and circumstances, and needs intensive support alongside specialist treatment.', 3),
    ('FINANCE_BENEFIT_AND_DEBT', 'LOW', 'The person manages their money fairly well but needs help with one specific task, such as a benefit claim or opening a bank account.', 1),
    ('FINANCE_BENEFIT_AND_DEBT', 'MEDIUM', 'The person has debts or benefit problems that are causing stress, and needs regular help to sort them out and to budget.', 2),
    ('FINANCE_BENEFIT_AND_DEBT', 'HIGH', 'The person has serious or growing debts, no steady income and several money problems at once, and needs intensive help to regain control.', 3);

CREATE TABLE desired_outcomes (
    id uuid PRIMARY KEY,
    service_category_code text REFERENCES service_categories,
    description text NOT NULL,
    position int NOT NULL CHECK (position > 0),
    UNIQUE (service_category_code, description)
);

COMMENT ON TABLE desired_outcomes IS 'Outcomes a referral may aim for per service category; the end-of-service report rates each one.';

-- The IDs are fixed so that every database holds the same ones; new outcomes take the next number.
INSERT INTO desired_outcomes (id, service_category_code, description, position) VALUES
    ('01900000-0000-7000-8000-000000000001', 'ACCOMMODATION', 'Has a safe and suitable place to live.', 1),
    ('01900000-0000-7000-8000-000000000002', 'ACCOMMODATION', 'Keeps their current home and avoids eviction or the loss of a tenancy.', 2),
    ('01900000-0000-7000-8000-000000000003', 'ACCOMMODATION', 'Understands and meets the duties of a tenancy, such as paying rent on time.', 3),
    ('01900000-0000-7000-8000-000000000004', 'ACCOMMODATION', 'Knows where to turn for help if their housing is at risk again.', 4),
    ('01900000-0000-7000-8000-000000000005', 'ETE', 'Starts and keeps going with education, training or volunteering.', 1),
    ('01900000-0000-7000-8000-000000000006', 'ETE', 'Gains a qualification, certificate or basic skill that helps them find work.', 2),
    ('01900000-0000-7000-8000-000000000007', 'ETE', 'Finds paid work or self-employment and stays in it.', 3),
    ('01900000-0000-7000-8000-000000000008', 'ETE', 'Can talk about their conviction with an employer confidently and knows when they must disclose it.', 4),
    ('01900000-0000-7000-8000-000000000009', 'EMOTIONAL_WELLBEING', 'Has practical ways to cope with stress, anger or low mood.', 1),
    ('01900000-0000-7000-8000-000000000010', 'EMOTIONAL_WELLBEING', 'Feels more confident and has a more hopeful view of themselves.', 2),
    ('01900000-0000-7000-8000-000000000011', 'EMOTIONAL_WELLBEING', 'Is registered with a GP and uses health or mental health services when they need them.', 3),
    ('01900000-0000-7000-8000-000000000012', 'FAMILY_AND_SIGNIFICANT_OTHERS', 'Communicates better and argues less with family, partner or others close to them.', 1),
    ('01900000-0000-7000-8000-000000000013', 'FAMILY_AND_SIGNIFICANT_OTHERS', 'Builds or restores safe contact with their children or other relatives, where that is appropriate.', 2),
    ('01900000-0000-7000-8000-000000000014', 'FAMILY_AND_SIGNIFICANT_OTHERS', 'Feels more able as a parent or carer and knows where to get help with it.', 3),
    ('01900000-0000-7000-8000-000000000015', 'LIFESTYLE_AND_ASSOCIATES', 'Takes part in positive activities such as sport, hobbies, volunteering or community groups.', 1),
    ('01900000-0000-7000-8000-000000000016', 'LIFESTYLE_AND_ASSOCIATES', 'Spends less time with people who encourage offending and more with people who support change.', 2),
    ('01900000-0000-7000-8000-000000000017', 'LIFESTYLE_AND_ASSOCIATES', 'Has a regular routine that gives shape to their week.', 3),
    ('01900000-0000-7000-8000-000000000018', 'SOCIAL_INCLUSION', 'Has the identification and documents they need, such as photo ID or proof of address.', 1),
    ('01900000-0000-7000-8000-000000000019', 'SOCIAL_INCLUSION', 'Knows about and uses local services and community groups without needing support.', 2),
    ('01900000-0000-7000-8000-000000000020', 'SOCIAL_INCLUSION', 'Feels less isolated and more a part of their local community.', 3),
    ('01900000-0000-7000-8000-000000000021', 'DEPENDENCY_AND_RECOVERY', 'Engages with drug or alcohol treatment and keeps appointments.', 1),
    ('01900000-0000-7000-8000-000000000022', 'DEPENDENCY_AND_RECOVERY', 'Reduces or stops their use of drugs or alcohol.', 2),
    ('01900000-0000-7000-8000-000000000023', 'DEPENDENCY_AND_RECOVERY', 'Understands how their substance use links to their offending and has a plan to avoid relapse.', 3),
    ('01900000-0000-7000-8000-000000000024', 'DEPENDENCY_AND_RECOVERY', 'Has people and groups around them that help them stay in recovery.', 4),
    ('01900000-0000-7000-8000-000000000025', 'FINANCE_BENEFIT_AND_DEBT', 'Receives all the benefits they are entitled to.', 1),
    ('01900000-0000-7000-8000-000000000026', 'FINANCE_BENEFIT_AND_DEBT', 'Has a realistic budget and keeps to it.', 2),
    ('01900000-0000-7000-8000-000000000027', 'FINANCE_BENEFIT_AND_DEBT', 'Has a plan for their debts and keeps up the agreed repayments.', 3),
    ('01900000-0000-7000-8000-000000000028', 'FINANCE_BENEFIT_AND_DEBT', 'Has a bank account and handles everyday payments on their own.', 4);

CREATE TABLE withdrawal_reasons (
    code text PRIMARY KEY,
    label text NOT NULL,
    reason_group text NOT NULL,
    counts_towards_volume boolean NOT NULL,
    position int NOT NULL CHECK (position > 0)
);

COMMENT ON TABLE withdrawal_reasons IS 'Why a referral was withdrawn; counts_towards_volume false keeps it out of the contract''s counted volume.';

INSERT INTO withdrawal_reasons (code, label, reason_group, counts_towards_volume, position) VALUES
    ('INE', 'Referral was ineligible', 'problem', false, 1),
    ('MIS', 'Referral was made by mistake or is a duplicate', 'problem', false, 2),
    ('NOT', 'Person did not engage', 'person', true, 3),
    ('NEE', 'Needs are being met another way', 'person', true, 4),
    ('MOV', 'Person moved out of the service area', 'person', true, 5),
    ('WOR', 'Work, caring responsibilities or illness', 'person', true, 6),
    ('USE', 'Person died', 'person', true, 7),
    ('ACQ', 'Conviction overturned on appeal', 'sentence', true, 8),
    ('RET', 'Person returned to custody', 'sentence', true, 9),
    ('SEE', 'Sentence has expired', 'sentence', true, 10),
    ('SER', 'Sentence was revoked', 'sentence', true, 11),
    ('EAR', 'Intervention completed early', 'early', true, 12),
    ('ANO', 'Another change of circumstances', 'other', true, 13);

-- +goose Down

DROP TABLE withdrawal_reasons;
DROP TABLE desired_outcomes;
DROP TABLE complexity_levels;
DROP TABLE contract_type_categories;
DROP TABLE contract_types;
DROP TABLE service_categories;
DROP TABLE pcc_areas;
DROP TABLE regions;
