// Package ids makes the platform's identifiers: UUID version 7, time-ordered, so that primary-key
// indexes stay append-mostly and IDs sort by creation.
package ids

import (
	"fmt"

	"github.com/google/uuid"
)

// New returns a new UUIDv7. It panics only if the system's random source fails, which is not
// recoverable.
func New() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}

// Parse parses a UUID in its canonical text form.
func Parse(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, fmt.Errorf("%q is not a valid id", s)
	}
	return id, nil
}
