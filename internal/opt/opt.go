// Package opt converts between optional values as pointers (nullable columns, optional JSON fields)
// and plain values with their zero as "absent", so that no package writes the same two helpers again.
package opt

// String returns nil for "" and a pointer to s otherwise: an empty text is stored as NULL.
func String(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Value returns what p points to, or the zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Of returns a pointer to a copy of v.
func Of[T any](v T) *T { return &v }

// NonZero returns nil for the zero value of T and a pointer to v otherwise.
func NonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
