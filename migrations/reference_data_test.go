package migrations_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// referenceDir is where every checkout finds the shared reference CSVs: ../shared beside the project.
const referenceDir = "../../shared/reference"

const referenceMigration = "00002_reference_data.sql"

// These checks read the migration as text; the database tests apply it for real.

func TestReferenceDataMatchesCSVs(t *testing.T) {
	t.Parallel()

	up, _ := readMigration(t)

	t.Run("regions hold every nps_regions.csv row", func(t *testing.T) {
		t.Parallel()
		want := readCSV(t, "nps_regions.csv", "code", "name")
		got := insertedRows(t, up, "regions", "code", "name")
		assertSameRows(t, "regions", got, want)
	})

	t.Run("pcc_areas hold every pcc_areas.csv row in CSV order", func(t *testing.T) {
		t.Parallel()
		want := withPositions(readCSV(t, "pcc_areas.csv", "code", "name", "nps_region"))
		got := insertedRows(t, up, "pcc_areas", "code", "name", "region_code", "position")
		assertSameRows(t, "pcc_areas", got, want)
	})

	t.Run("service_categories hold every service_categories.csv row in CSV order", func(t *testing.T) {
		t.Parallel()
		want := withPositions(readCSV(t, "service_categories.csv", "code", "name"))
		got := insertedRows(t, up, "service_categories", "code", "name", "position")
		assertSameRows(t, "service_categories", got, want)
	})

	t.Run("contract_types hold every contract_types.csv row in CSV order", func(t *testing.T) {
		t.Parallel()
		rows := readCSV(t, "contract_types.csv", "code", "name", "service_categories")
		var want [][]string
		for i, r := range rows {
			want = append(want, []string{r[0], r[1], strconv.Itoa(i + 1)})
		}
		got := insertedRows(t, up, "contract_types", "code", "name", "position")
		assertSameRows(t, "contract_types", got, want)
	})

	t.Run("contract_type_categories hold every listed category in CSV order", func(t *testing.T) {
		t.Parallel()
		var want [][]string
		for _, r := range readCSV(t, "contract_types.csv", "code", "name", "service_categories") {
			for i, category := range strings.Split(r[2], "|") {
				want = append(want, []string{r[0], category, strconv.Itoa(i + 1)})
			}
		}
		got := insertedRows(t, up, "contract_type_categories", "contract_type_code", "service_category_code", "position")
		assertSameRows(t, "contract_type_categories", got, want)
	})

	t.Run("withdrawal_reasons hold every withdrawal_reasons.csv row in CSV order", func(t *testing.T) {
		t.Parallel()
		want := withPositions(readCSV(t, "withdrawal_reasons.csv", "code", "label", "group", "counts_towards_volume"))
		got := insertedRows(t, up, "withdrawal_reasons", "code", "label", "reason_group", "counts_towards_volume", "position")
		assertSameRows(t, "withdrawal_reasons", got, want)
	})
}

func TestReferenceDataPerServiceCategory(t *testing.T) {
	t.Parallel()

	up, _ := readMigration(t)
	var categories []string
	for _, r := range readCSV(t, "service_categories.csv", "code", "name") {
		categories = append(categories, r[0])
	}

	t.Run("every category has exactly LOW, MEDIUM and HIGH in that order", func(t *testing.T) {
		t.Parallel()
		levels := map[string][]string{}
		for _, r := range insertedRows(t, up, "complexity_levels", "service_category_code", "level", "description", "position") {
			category, level, description, position := r[0], r[1], r[2], r[3]
			levels[category] = append(levels[category], level+"@"+position)
			assertSentence(t, category+" "+level, description)
		}
		want := []string{"LOW@1", "MEDIUM@2", "HIGH@3"}
		for _, category := range categories {
			if !slices.Equal(levels[category], want) {
				t.Errorf("complexity_levels for %s = %v, want %v", category, levels[category], want)
			}
			delete(levels, category)
		}
		for category := range levels {
			t.Errorf("complexity_levels for %s, which service_categories.csv does not list", category)
		}
	})

	t.Run("every category has 2 to 5 outcomes numbered from 1 with fixed version 7 IDs", func(t *testing.T) {
		t.Parallel()
		uuid7 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
		ids := map[string]bool{}
		positions := map[string][]string{}
		descriptions := map[string]bool{}
		for _, r := range insertedRows(t, up, "desired_outcomes", "id", "service_category_code", "description", "position") {
			id, category, description, position := r[0], r[1], r[2], r[3]
			if !uuid7.MatchString(id) {
				t.Errorf("desired outcome id %q is not a lower-case version 7 UUID", id)
			}
			if ids[id] {
				t.Errorf("desired outcome id %s is used twice", id)
			}
			ids[id] = true
			if key := category + "\x00" + description; descriptions[key] {
				t.Errorf("desired outcome %q appears twice for %s", description, category)
			} else {
				descriptions[key] = true
			}
			assertSentence(t, "outcome "+id, description)
			positions[category] = append(positions[category], position)
		}
		for _, category := range categories {
			got := positions[category]
			if len(got) < 2 || len(got) > 5 {
				t.Errorf("%s has %d desired outcomes, want 2 to 5", category, len(got))
			}
			for i, p := range got {
				if p != strconv.Itoa(i+1) {
					t.Errorf("%s outcome positions = %v, want 1 to %d in order", category, got, len(got))
					break
				}
			}
			delete(positions, category)
		}
		for category := range positions {
			t.Errorf("desired outcomes for %s, which service_categories.csv does not list", category)
		}
	})
}

func TestReferenceDataDownDropsEveryTable(t *testing.T) {
	t.Parallel()

	up, down := readMigration(t)
	created := regexp.MustCompile(`(?im)^\s*CREATE TABLE\s+(\w+)`).FindAllStringSubmatch(up, -1)
	dropped := regexp.MustCompile(`(?im)^\s*DROP TABLE\s+(\w+)`).FindAllStringSubmatch(down, -1)
	var want, got []string
	for _, m := range created {
		want = append(want, m[1])
	}
	for _, m := range dropped {
		got = append(got, m[1])
	}
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Errorf("Down drops %v, want the tables Up creates in reverse order: %v", got, want)
	}
}

// readMigration returns the Up and Down sections of the reference data migration.
func readMigration(t *testing.T) (up, down string) {
	t.Helper()
	b, err := os.ReadFile(referenceMigration)
	if err != nil {
		t.Fatalf("read migration: %v", err)
	}
	text := string(b)
	upAt := strings.Index(text, "-- +goose Up\n")
	downAt := strings.Index(text, "-- +goose Down\n")
	if upAt < 0 || downAt < upAt {
		t.Fatalf("%s: want a '-- +goose Up' section followed by a '-- +goose Down' section", referenceMigration)
	}
	return text[upAt:downAt], text[downAt:]
}

// readCSV reads a reference CSV, checks its header and returns its data rows.
func readCSV(t *testing.T, name string, header ...string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(referenceDir, name))
	if err != nil {
		t.Fatalf("open reference CSV (the shared folder belongs beside the checkout): %v", err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if len(records) == 0 || !slices.Equal(records[0], header) {
		t.Fatalf("%s header = %v, want %v", name, records[:min(1, len(records))], header)
	}
	return records[1:]
}

// withPositions appends each row's 1-based position, as the migration stores CSV order.
func withPositions(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append(slices.Clone(r), strconv.Itoa(i+1))
	}
	return out
}

var insertRE = regexp.MustCompile(`(?is)INSERT INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*(.*?);\s*$`)

// insertedRows returns the rows of the migration's INSERT into table, with the literal values
// unquoted, after checking that the statement names exactly the given columns.
func insertedRows(t *testing.T, sql, table string, columns ...string) [][]string {
	t.Helper()
	var rows [][]string
	found := false
	for _, stmt := range strings.SplitAfter(sql, ";\n") {
		m := insertRE.FindStringSubmatch(stmt)
		if m == nil || m[1] != table {
			continue
		}
		found = true
		var got []string
		for _, c := range strings.Split(m[2], ",") {
			got = append(got, strings.TrimSpace(c))
		}
		if !slices.Equal(got, columns) {
			t.Fatalf("INSERT INTO %s names columns %v, want %v", table, got, columns)
		}
		tuples, err := parseTuples(m[3])
		if err != nil {
			t.Fatalf("INSERT INTO %s: %v", table, err)
		}
		for _, tuple := range tuples {
			if len(tuple) != len(columns) {
				t.Fatalf("INSERT INTO %s: row %v has %d values, want %d", table, tuple, len(tuple), len(columns))
			}
		}
		rows = append(rows, tuples...)
	}
	if !found {
		t.Fatalf("no INSERT INTO %s in the Up section", table)
	}
	return rows
}

// parseTuples reads a VALUES list of SQL literals: quoted strings (a doubled quote stands for one),
// numbers, true and false. Strings come back unquoted, so they compare directly with the CSV text.
func parseTuples(s string) ([][]string, error) {
	var (
		tuples [][]string
		tuple  []string
		inRow  bool
	)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '(' && !inRow:
			inRow, tuple = true, nil
			i++
		case c == ')' && inRow:
			tuples = append(tuples, tuple)
			inRow = false
			i++
		case c == ',':
			i++
		case c == '\'' && inRow:
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated string after %q", b.String())
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			tuple = append(tuple, b.String())
		case inRow:
			j := i
			for j < len(s) && s[j] != ',' && s[j] != ')' {
				j++
			}
			tuple = append(tuple, strings.TrimSpace(s[i:j]))
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q outside a row", c)
		}
	}
	if inRow {
		return nil, fmt.Errorf("unterminated row %v", tuple)
	}
	return tuples, nil
}

// assertSameRows fails with every difference between the migration's rows and the CSV's.
func assertSameRows(t *testing.T, table string, got, want [][]string) {
	t.Helper()
	format := func(rows [][]string) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = strings.Join(r, " | ")
		}
		return out
	}
	g, w := format(got), format(want)
	for _, row := range w {
		if !slices.Contains(g, row) {
			t.Errorf("%s: CSV row %q is missing from the migration", table, row)
		}
	}
	for _, row := range g {
		if !slices.Contains(w, row) {
			t.Errorf("%s: migration row %q is not in the CSV", table, row)
		}
	}
	if len(g) != len(w) {
		t.Errorf("%s: migration has %d rows, CSV has %d", table, len(g), len(w))
	}
}

// assertSentence checks that a description is one plain sentence.
func assertSentence(t *testing.T, what, s string) {
	t.Helper()
	if s == "" || s[0] < 'A' || s[0] > 'Z' || !strings.HasSuffix(s, ".") || strings.Contains(s[:len(s)-1], ". ") {
		t.Errorf("%s: description %q is not one sentence starting with a capital and ending with a full stop", what, s)
	}
}
