package referrals

import (
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Events a NotifyArgs job reports.
const (
	EventSent      = "sent"
	EventWithdrawn = "withdrawn"
	EventAmended   = "amended"
)

// NotifyArgs asks for the contract's referral mailbox to be e-mailed about an event of a referral
// (EventSent, EventWithdrawn, EventAmended). The worker, in package jobs, sends nothing when e-mail is
// not configured or the contract has no mailbox.
type NotifyArgs struct {
	ReferralID uuid.UUID `json:"referral_id"`
	Event      string    `json:"event"`
}

// Kind implements river.JobArgs.
func (NotifyArgs) Kind() string { return "referral_notify_email" }

// RefreshDebounce is how long a volume refresh waits after the change that asked for it, so that a
// burst of changes to one contract is refreshed once.
const RefreshDebounce = 5 * time.Second

// RefreshVolumesArgs asks for a contract's volumes (reconciliation) to be refreshed after referrals
// of it were sent or withdrawn. Insert it with RefreshVolumesOpts.
type RefreshVolumesArgs struct {
	ContractID uuid.UUID `json:"contract_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (RefreshVolumesArgs) Kind() string { return "refresh_contract_volumes" }

// RefreshVolumesOpts returns the insert options of a RefreshVolumesArgs job asked for at now: run
// RefreshDebounce later, unique per contract within a RefreshDebounce period while waiting or running.
//
// River requires the running state in UniqueOpts.ByState, so uniqueness by state alone would drop a
// refresh asked for while one runs. The period does the debouncing instead: River (since v0.48) keys
// the period on the job's ScheduledAt, that is on the service's clock plus RefreshDebounce, so the
// requests made in one period are one job, which runs after its period has ended; a request made once
// it has started falls in a later period and schedules another. Completed and discarded jobs never
// block a new one. Keyed on the injected clock, the grouping is the same in tests as in production.
func RefreshVolumesOpts(now time.Time) *river.InsertOpts {
	return &river.InsertOpts{
		ScheduledAt: now.Add(RefreshDebounce),
		UniqueOpts: river.UniqueOpts{
			ByArgs:   true,
			ByPeriod: RefreshDebounce,
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateScheduled, rivertype.JobStateRetryable},
		},
	}
}
