package payments

import (
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
)

// scope is what an actor may see of the commercial picture: every contract (admins), the contracts
// of some regions (commissioners) or of which the organisation is prime (supplier users).
type scope struct {
	all      bool
	regions  []string
	supplier uuid.UUID
}

// filter restricts a query on contracts aliased as alias.
func (s scope) filter(q *gorm.DB, alias string) *gorm.DB {
	switch {
	case s.all:
		return q
	case s.supplier != uuid.Nil:
		return q.Where(alias+".prime_supplier_id = ?", s.supplier)
	default:
		return q.Where(alias+".region_code = ANY(?)", pq.StringArray(s.regions))
	}
}

// portfolio adds the scope to a portfolio filter, so that contracts outside it are never read.
func (s scope) portfolio(f contracts.PortfolioFilter) contracts.PortfolioFilter {
	switch {
	case s.all:
	case s.supplier != uuid.Nil:
		f.Primes = []uuid.UUID{s.supplier}
	default:
		f.Regions = s.regions
		if f.Regions == nil {
			f.Regions = []string{}
		}
	}
	return f
}
