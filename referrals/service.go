package referrals

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/internal/queue"
	"github.com/crsplatform/crs/internal/reference"
)

// Config configures the service.
type Config struct {
	// Reference is the reference data referrals are checked against. Required.
	Reference *reference.Data
	// Inserter inserts the jobs a change implies in its transaction. Required.
	Inserter *queue.Inserter
	// Now is the clock; referrals count on its London date.
	Now func() time.Time
	// AutoApproveActionPlans approves a submitted action plan without the practitioner.
	AutoApproveActionPlans bool
	// Rand is the source of reference numbers; crypto/rand when nil.
	Rand io.Reader
}

// Service manages referrals: drafts, sending, the supplier's workflow, withdrawals, amendments and
// case notes.
type Service struct {
	db  *gorm.DB
	cfg Config
}

// NewService returns the service. It panics when Reference or Inserter is missing: wiring is checked
// at start-up.
func NewService(db *gorm.DB, cfg Config) *Service {
	if cfg.Reference == nil || cfg.Inserter == nil {
		panic("referrals: NewService needs Config.Reference and Config.Inserter")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = crand.Reader
	}
	return &Service{db: db, cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Today returns the London date of the service's clock: the day referrals are sent and judged on.
func (s *Service) Today() calendar.Date { return calendar.BusinessDay(s.now()) }

// Detail is a referral with its contract and everything its workflow recorded.
type Detail struct {
	Referral
	Contract     contracts.Contract
	Appointments []Appointment
	ActionPlans  []ActionPlan
	// Report is nil until the end-of-service report is submitted.
	Report     *EndOfServiceReport
	Timeliness []Deadline
}

// Summary is a referral as lists show it.
type Summary struct {
	Referral
	ContractReference string
	Timeliness        []Deadline
}

// requireOwner refuses everyone but the referral's practitioner.
func requireOwner(a actor.Actor, r Referral) error {
	if a.Role != actor.RolePractitioner || a.UserID != r.PractitionerID {
		return apperr.Forbidden("not_referral_owner", "only the practitioner who made the referral may do this")
	}
	return nil
}

// requireSupplier refuses everyone but the users of the contract's supply chain (whom the read scope has
// already let through).
func requireSupplier(a actor.Actor) error {
	if a.Role != actor.RoleSupplier {
		return apperr.Forbidden("role_not_allowed", "only the supplier's users work referrals")
	}
	return nil
}

// supplyChain returns the contract's prime and current subcontractors.
func supplyChain(c contracts.Contract) []uuid.UUID {
	out := []uuid.UUID{c.Prime.ID}
	for _, sc := range c.Subcontractors {
		if sc.Current() {
			out = append(out, sc.Supplier.ID)
		}
	}
	return out
}

// access reads a referral in the actor's scope and its contract in db (a transaction when forUpdate,
// which locks the referral's row), answering not found when it is outside the scope: the scope is part
// of the query, so such a referral is neither read nor locked.
func (s *Service) access(ctx context.Context, db *gorm.DB, a actor.Actor, id uuid.UUID, forUpdate bool) (Referral, contracts.Contract, error) {
	r, err := loadScopedReferral(ctx, db, a, id, forUpdate)
	if err != nil {
		return Referral{}, contracts.Contract{}, err
	}
	c, err := contracts.Load(ctx, db, r.ContractID)
	if err != nil {
		return Referral{}, contracts.Contract{}, fmt.Errorf("read contract of referral %s: %w", id, err)
	}
	return r, c, nil
}

func (s *Service) detail(ctx context.Context, db *gorm.DB, r Referral, c contracts.Contract) (Detail, error) {
	d := Detail{Referral: r, Contract: c, Timeliness: Timeliness(r, s.Today())}
	var err error
	if d.Appointments, err = loadAppointments(ctx, db, r.ID); err != nil {
		return Detail{}, err
	}
	if d.ActionPlans, err = loadActionPlans(ctx, db, r.ID); err != nil {
		return Detail{}, err
	}
	report, ok, err := loadReport(ctx, db, r.ID)
	if err != nil {
		return Detail{}, err
	}
	if ok {
		d.Report = &report
	}
	return d, nil
}

// Get returns a referral in the actor's scope with its workflow records; not found otherwise.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Detail, error) {
	r, c, err := s.access(ctx, s.db, a, id, false)
	if err != nil {
		return Detail{}, err
	}
	return s.detail(ctx, s.db, r, c)
}

// CreateParams are the inputs of Create.
type CreateParams struct {
	ContractID uuid.UUID
	CRN        string
}

// Create starts a draft (practitioners only: role_not_allowed otherwise) for a contract of any
// region, with the person's CRN: invalid_crn, or contract_not_found for an unknown contract.
func (s *Service) Create(ctx context.Context, a actor.Actor, p CreateParams) (Detail, error) {
	if a.Role != actor.RolePractitioner {
		return Detail{}, apperr.Forbidden("role_not_allowed", "only practitioners make referrals")
	}
	var f apperr.Fields
	crn, err := ParseCRN(p.CRN)
	if e, ok := apperr.As(err); ok {
		f.Merge("", e.Fields)
	}
	c, err := contracts.Load(ctx, s.db, p.ContractID)
	switch {
	case apperr.IsNotFound(err):
		f.Add("contract_id", "contract_not_found", "There is no contract with this id.")
	case err != nil:
		return Detail{}, fmt.Errorf("create referral: %w", err)
	}
	if err := f.Err("the referral cannot be created"); err != nil {
		return Detail{}, err
	}
	now := s.now()
	r := Referral{ID: ids.New(), ContractID: c.ID, RegionCode: c.Area.RegionCode, PractitionerID: a.UserID, Status: StatusDraft,
		CRN: crn, Person: Person{Commitments: []Commitment{}}, Services: []ServiceChoice{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertReferral(ctx, tx, r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: AuditCreated, EntityType: entityType, EntityID: r.ID,
			After: facts{Status: StatusDraft, CRN: crn, ContractID: &c.ID}})
	})
	if err != nil {
		return Detail{}, fmt.Errorf("create referral: %w", err)
	}
	return s.detail(ctx, s.db, r, c)
}

// UpdateDraft applies a partial update to the actor's draft if its version is still version
// (version_mismatch otherwise). The changed fields are checked by ApplyDraftChanges; a sent
// referral answers invalid_transition (amend it instead).
func (s *Service) UpdateDraft(ctx context.Context, a actor.Actor, id uuid.UUID, version int, ch DraftChanges) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, c, err := s.access(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if err := requireOwner(a, r); err != nil {
			return err
		}
		if _, err := Next(r.Status, ActionUpdateDraft); err != nil {
			return err
		}
		if err := checkVersion(r, version); err != nil {
			return err
		}
		ct, _ := s.cfg.Reference.ContractType(c.ContractTypeCode)
		updated, err := ApplyDraftChanges(r, ch, DraftRules{Ref: s.cfg.Reference, ContractType: ct, ContractEnd: c.EffectiveEnd(), Today: s.Today()})
		if err != nil {
			return err
		}
		updated.Version, updated.UpdatedAt = r.Version+1, s.now()
		if err := saveReferral(ctx, tx, updated, r.Version); err != nil {
			return err
		}
		if ch.Services.Set {
			if err := replaceServices(ctx, tx, r.ID, updated.Services); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: AuditUpdated, EntityType: entityType, EntityID: r.ID,
			After: facts{Status: StatusDraft, Fields: ch.fieldNames()}}); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, updated, c)
		return err
	})
	if err != nil {
		return Detail{}, fmt.Errorf("update draft %s: %w", id, err)
	}
	return out, nil
}

// fieldNames lists the JSON names of the fields set, for the audit trail.
func (ch DraftChanges) fieldNames() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(ch.CRN.Set, "crn")
	add(ch.FirstName.Set, "person.first_name")
	add(ch.LastName.Set, "person.last_name")
	add(ch.DateOfBirth.Set, "person.date_of_birth")
	add(ch.Sex.Set, "person.sex")
	add(ch.Ethnicity.Set, "person.ethnicity")
	add(ch.PreferredLanguage.Set, "person.preferred_language")
	add(ch.InterpreterNeeded.Set, "person.interpreter_needed")
	add(ch.Disabilities.Set, "person.disabilities")
	add(ch.AccessNeeds.Set, "person.access_needs")
	add(ch.Commitments.Set, "person.commitments")
	add(ch.Setting.Set, "setting")
	add(ch.Prison.Set, "prison")
	add(ch.ExpectedReleaseDate.Set, "expected_release_date")
	add(ch.PCCAreaCode.Set, "pcc_area_code")
	add(ch.Services.Set, "service_categories")
	add(ch.MaxEnforceableDays.Set, "max_enforceable_days")
	add(ch.CompletionDeadline.Set, "completion_deadline")
	add(ch.ReasonForReferral.Set, "reason_for_referral")
	add(ch.RiskSummary.Set, "risk_summary")
	add(ch.FurtherInformation.Set, "further_information")
	return out
}

// DeleteDraft deletes the actor's draft at the version the client read (412 for another); a sent
// referral answers invalid_transition.
func (s *Service) DeleteDraft(ctx context.Context, a actor.Actor, id uuid.UUID, version int) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, _, err := s.access(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(r, version); err != nil {
			return err
		}
		if err := requireOwner(a, r); err != nil {
			return err
		}
		if _, err := Next(r.Status, ActionDeleteDraft); err != nil {
			return err
		}
		if err := deleteReferral(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: AuditDraftDeleted, EntityType: entityType, EntityID: id,
			After: facts{CRN: r.CRN, ContractID: &r.ContractID}})
	})
	if err != nil {
		return fmt.Errorf("delete draft %s: %w", id, err)
	}
	return nil
}

// checkVersion answers 412 unless the referral is at the version the client read.
func checkVersion(r Referral, version int) error {
	if r.Version != version {
		return apperr.PreconditionFailed(fmt.Sprintf("the referral is at version %d: read it again", r.Version))
	}
	return nil
}

// DeleteStaleDrafts deletes the drafts unchanged for StaleDraftAge, auditing each as the system, and
// returns how many it deleted. It is the periodic job's work.
func (s *Service) DeleteStaleDrafts(ctx context.Context) (int, error) {
	system := actor.System("stale_drafts")
	var n int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := deleteDraftsBefore(ctx, tx, s.now().Add(-StaleDraftAge))
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := audit.Record(ctx, tx, system, audit.Change{Action: AuditDraftDeleted, EntityType: entityType, EntityID: r.ID,
				After: facts{CRN: r.CRN, ContractID: &r.ContractID, Reason: "unchanged for 90 days"}}); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete stale drafts: %w", err)
	}
	return n, nil
}

// List returns the referrals in the actor's scope that match p, in p.Sort order (see ListQuery).
func (s *Service) List(ctx context.Context, a actor.Actor, p ListParams) (page.Page[Summary], error) {
	today := s.Today()
	q, err := ListQuery(a, p, today)
	if err != nil {
		return page.Page[Summary]{}, err
	}
	rows, err := listReferrals(ctx, s.db, q)
	if err != nil {
		return page.Page[Summary]{}, err
	}
	var contractIDs []uuid.UUID
	for _, r := range rows {
		contractIDs = append(contractIDs, r.ContractID)
	}
	refs, err := contractReferences(ctx, s.db, contractIDs)
	if err != nil {
		return page.Page[Summary]{}, err
	}
	items := make([]Summary, len(rows))
	for i, r := range rows {
		items[i] = Summary{Referral: r, ContractReference: refs[r.ContractID], Timeliness: Timeliness(r, today)}
	}
	sort := p.Sort
	if sort == "" {
		sort = SortSentDesc
	}
	return page.Build(items, p.Page.Limit, func(it Summary) any { return keyOf(it.Referral, sort) }), nil
}

// History returns the referral's timeline, oldest first, from the audit trail.
func (s *Service) History(ctx context.Context, a actor.Actor, id uuid.UUID) ([]HistoryEvent, error) {
	if _, _, err := s.access(ctx, s.db, a, id, false); err != nil {
		return nil, err
	}
	events, err := audit.ForEntity(ctx, s.db, entityType, id)
	if err != nil {
		return nil, fmt.Errorf("history of referral %s: %w", id, err)
	}
	out := make([]HistoryEvent, len(events))
	for i, e := range events {
		out[i] = HistoryEvent{At: e.OccurredAt, ActorEmail: e.ActorEmail, ActorRole: e.ActorRole, Action: e.Action, Summary: summarise(e.Action, e.After)}
	}
	return out, nil
}

// Amendments returns the referral's amendments, oldest first.
func (s *Service) Amendments(ctx context.Context, a actor.Actor, id uuid.UUID) ([]Amendment, error) {
	if _, _, err := s.access(ctx, s.db, a, id, false); err != nil {
		return nil, err
	}
	return listAmendments(ctx, s.db, id)
}

// Email is an e-mail to send.
type Email struct {
	To      []string
	Subject string
	Body    string
}

// Caseworker is an active user who may be made a referral's caseworker.
type Caseworker struct {
	ID          uuid.UUID
	DisplayName string
	Email       string
	// SupplierID is the user's organisation: the prime or a current subcontractor.
	SupplierID uuid.UUID
}

// Caseworkers lists, by name, the active users of the referral's prime and current subcontractors:
// whom Assign accepts. The referral must be in the actor's scope (not found otherwise).
func (s *Service) Caseworkers(ctx context.Context, a actor.Actor, id uuid.UUID) ([]Caseworker, error) {
	_, c, err := s.access(ctx, s.db, a, id, false)
	if err != nil {
		return nil, err
	}
	out, err := supplyChainUsers(ctx, s.db, supplyChain(c))
	if err != nil {
		return nil, fmt.Errorf("caseworkers of referral %s: %w", id, err)
	}
	return out, nil
}

// NotificationEmail returns the e-mail to the contract's referral mailbox about an event of a
// referral, and false when there is nothing to send (no mailbox, or the referral is gone). The
// e-mail names the referral and the contract only: people's details stay in the platform.
func (s *Service) NotificationEmail(ctx context.Context, args NotifyArgs) (Email, bool, error) {
	r, err := loadReferral(ctx, s.db, args.ReferralID)
	if apperr.IsNotFound(err) {
		return Email{}, false, nil
	}
	if err != nil {
		return Email{}, false, err
	}
	c, err := contracts.Load(ctx, s.db, r.ContractID)
	if err != nil {
		return Email{}, false, fmt.Errorf("notification e-mail for referral %s: %w", r.ID, err)
	}
	if c.ReferralMailbox == "" {
		return Email{}, false, nil
	}
	verb := map[string]string{EventSent: "was sent to", EventWithdrawn: "was withdrawn from", EventAmended: "was amended on"}[args.Event]
	if verb == "" {
		verb = "changed on"
	}
	return Email{
		To:      []string{c.ReferralMailbox},
		Subject: fmt.Sprintf("Referral %s %s contract %s", r.Reference, verb, c.Reference),
		Body: fmt.Sprintf("Referral %s %s contract %s (status %s).\n\nSign in to Commissioned Rehabilitative Services to see it.\n",
			r.Reference, verb, c.Reference, r.Status),
	}, true, nil
}

// notifySuppliers tells the users of the contract's supply chain about a change, inside tx.
func notifySuppliers(ctx context.Context, tx *gorm.DB, c contracts.Contract, m notify.Message) error {
	users, err := notify.SupplierUsers(ctx, tx, supplyChain(c))
	if err != nil {
		return err
	}
	return notify.Send(ctx, tx, users, m)
}
