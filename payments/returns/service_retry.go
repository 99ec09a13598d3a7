package returns

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
)

// withStuck marks a running return whose build started more than StuckAfter ago.
func (s *Service) withStuck(r Return) Return {
	r.Stuck = r.Status == StatusRunning && r.StartedAt != nil && r.StartedAt.Before(s.cfg.Now().Add(-s.cfg.StuckAfter))
	return r
}

// Retry builds a failed or stuck return again: in one transaction it puts the return back in the
// queue (clearing the failure) and inserts a new build job, with an audit record. A return outside
// the actor's scope is not found; one that is queued, ready, or running within its time limit
// conflicts (return_not_retryable). Should the stuck build's worker still finish, the later build
// finds the return ready and stops (Build is idempotent).
func (s *Service) Retry(ctx context.Context, a actor.Actor, id uuid.UUID) (Return, error) {
	before, err := s.Get(ctx, a, id)
	if err != nil {
		return Return{}, err
	}
	if before.Status != StatusFailed && !before.Stuck {
		return Return{}, apperr.Conflict("return_not_retryable",
			fmt.Sprintf("the return is %s; only a failed return, or one stuck running past its time limit, can be retried", before.Status))
	}
	stuckBefore := s.cfg.Now().UTC().Add(-s.cfg.StuckAfter)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Conditional on the state read above, so that two retries (or a retry and a finishing build)
		// cannot both win.
		res := tx.Model(&returnRow{}).
			Where("id = ? AND (status = ? OR (status = ? AND started_at < ?))", id, StatusFailed, StatusRunning, stuckBefore).
			Updates(map[string]any{"status": StatusQueued, "failure": nil, "started_at": nil, "finished_at": nil})
		if res.Error != nil {
			return fmt.Errorf("requeue return: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.Conflict("return_not_retryable", "the return changed meanwhile; read it again")
		}
		after := before
		after.Status, after.Failure, after.StartedAt, after.FinishedAt, after.Stuck = StatusQueued, "", nil, nil, false
		if err := audit.Record(ctx, tx, a, audit.Change{Action: "return.retried", EntityType: "return", EntityID: id, Before: before, After: after}); err != nil {
			return err
		}
		return s.cfg.Inserter.InsertTx(ctx, tx, BuildArgs{ReturnID: id}, nil)
	})
	if err != nil {
		return Return{}, fmt.Errorf("retry return %s: %w", id, err)
	}
	return s.Get(ctx, a, id)
}
