package returns

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// kind is how a column's values are written and formatted.
type kind int

const (
	kText    kind = iota
	kInt          // whole numbers; *int nil is an empty cell
	kMoney        // money.Pence, shown as GBP
	kDate         // calendar.Date, shown dd/mm/yyyy; zero is an empty cell
	kPercent      // basis points (int), shown as a percentage
	kTime         // time.Time, shown dd/mm/yyyy hh:mm
)

// column is one column of a sheet, with the definition the ReadMe lists.
type column struct {
	header string
	width  float64
	kind   kind
	def    string
}

// sheet is one worksheet: its columns and a function that emits its rows in order.
type sheet struct {
	name    string
	table   string
	columns []column
	rows    func(emit func(row []any) error) error
	// after, when set, writes rows below the table (notes, totals) and returns nothing else.
	after [][]any
}

// styles are the workbook's cell styles.
type styles struct {
	header, money, date, dateTime, percent, title, bold int
}

// gbp is the GBP number format: pounds with thousands separators, negatives in red.
const gbp = `[$£-809]#,##0.00;[Red]-[$£-809]#,##0.00`

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	money, date, dateTime, pct := gbp, "dd/mm/yyyy", "dd/mm/yyyy hh:mm", "0.00%"
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE6F0"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	s.money = mk(&excelize.Style{CustomNumFmt: &money})
	s.date = mk(&excelize.Style{CustomNumFmt: &date})
	s.dateTime = mk(&excelize.Style{CustomNumFmt: &dateTime})
	s.percent = mk(&excelize.Style{CustomNumFmt: &pct})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	return s, err
}

// pounds converts pence to the number a spreadsheet shows with the GBP format. Only here, at the
// edge, does money leave whole pence: 12345678 pence is written as 123456.78.
func pounds(p money.Pence) float64 { return float64(p) / 100 }

// cell converts a value for a column of the kind.
func (s styles) cell(k kind, v any) (any, error) {
	switch k {
	case kText:
		switch x := v.(type) {
		case string:
			return x, nil
		case nil:
			return nil, nil
		}
		return fmt.Sprint(v), nil
	case kInt:
		switch x := v.(type) {
		case int:
			return x, nil
		case *int:
			if x == nil {
				return nil, nil
			}
			return *x, nil
		case nil:
			return nil, nil
		}
	case kMoney:
		switch x := v.(type) {
		case money.Pence:
			return excelize.Cell{StyleID: s.money, Value: pounds(x)}, nil
		case *money.Pence:
			if x == nil {
				return nil, nil
			}
			return excelize.Cell{StyleID: s.money, Value: pounds(*x)}, nil
		case nil:
			return nil, nil
		}
	case kDate:
		switch x := v.(type) {
		case calendar.Date:
			if x.IsZero() {
				return nil, nil
			}
			return excelize.Cell{StyleID: s.date, Value: x.Time()}, nil
		case nil:
			return nil, nil
		}
	case kTime:
		switch x := v.(type) {
		case time.Time:
			if x.IsZero() {
				return nil, nil
			}
			return excelize.Cell{StyleID: s.dateTime, Value: x.UTC()}, nil
		case *time.Time:
			if x == nil {
				return nil, nil
			}
			return excelize.Cell{StyleID: s.dateTime, Value: x.UTC()}, nil
		case nil:
			return nil, nil
		}
	case kPercent:
		if x, ok := v.(int); ok {
			return excelize.Cell{StyleID: s.percent, Value: float64(x) / 10000}, nil
		}
	}
	return nil, fmt.Errorf("value %T does not fit a column of kind %d", v, k)
}

// writeSheet streams one sheet: column widths, a frozen and filterable header row, the rows, then an
// Excel table over them (so filters work) and any rows after the table.
func writeSheet(f *excelize.File, st styles, sh sheet) error {
	sw, err := f.NewStreamWriter(sh.name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", sh.name, err)
	}
	// Widths from the last column down: the stream writer emits them in reverse call order.
	for i := len(sh.columns) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, sh.columns[i].width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(sh.columns))
	for i, c := range sh.columns {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.header}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	row := 1
	buf := make([]any, len(sh.columns))
	err = sh.rows(func(values []any) error {
		if len(values) != len(sh.columns) {
			return fmt.Errorf("sheet %s: a row of %d values for %d columns", sh.name, len(values), len(sh.columns))
		}
		for i, v := range values {
			c, err := st.cell(sh.columns[i].kind, v)
			if err != nil {
				return fmt.Errorf("sheet %s column %q: %w", sh.name, sh.columns[i].header, err)
			}
			buf[i] = c
		}
		row++
		cellName, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cellName, buf)
	})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(sh.columns), max(row, 2))
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: sh.table, StyleName: "TableStyleLight9"}); err != nil {
		return fmt.Errorf("sheet %s table: %w", sh.name, err)
	}
	next := max(row, 2) + 2
	for _, r := range sh.after {
		cellName, _ := excelize.CoordinatesToCellName(1, next)
		if err := sw.SetRow(cellName, r); err != nil {
			return err
		}
		next++
	}
	return sw.Flush()
}

// writeWorkbook writes a workbook to w: its tabs in the order named (after the ReadMe), the early
// sheets first, then the sheets late returns (with the ReadMe's facts) once it can, then the ReadMe
// defining every column. Early sheets need nothing late computes, so the two can overlap.
func writeWorkbook(w io.Writer, order []string, early []sheet, late func() ([][2]string, []sheet, error)) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("workbook styles: %w", err)
	}
	if err := f.SetSheetName("Sheet1", "ReadMe"); err != nil {
		return err
	}
	for _, name := range order {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	for _, sh := range early {
		if err := writeSheet(f, st, sh); err != nil {
			return err
		}
	}
	meta, rest, err := late()
	if err != nil {
		return err
	}
	for _, sh := range rest {
		if err := writeSheet(f, st, sh); err != nil {
			return err
		}
	}
	byName := map[string]sheet{}
	for _, sh := range append(append([]sheet{}, early...), rest...) {
		byName[sh.name] = sh
	}
	all := make([]sheet, 0, len(order))
	for _, name := range order {
		all = append(all, byName[name])
	}
	if err := writeReadMe(f, st, meta, all); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// writeReadMe writes the scope and dates, then a filterable table defining every column of every sheet.
func writeReadMe(f *excelize.File, st styles, meta [][2]string, sheets []sheet) error {
	sw, err := f.NewStreamWriter("ReadMe")
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(3, 3, 100); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 30); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 22); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: "Commissioned Rehabilitative Services: commercial return"}}); err != nil {
		return err
	}
	row := 2
	for _, m := range meta {
		row++
		cellName, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cellName, []any{excelize.Cell{StyleID: st.bold, Value: m[0]}, m[1]}); err != nil {
			return err
		}
	}
	row += 2
	top := row
	cellName, _ := excelize.CoordinatesToCellName(1, row)
	hdr := []any{excelize.Cell{StyleID: st.header, Value: "Sheet"}, excelize.Cell{StyleID: st.header, Value: "Column"}, excelize.Cell{StyleID: st.header, Value: "Definition"}}
	if err := sw.SetRow(cellName, hdr); err != nil {
		return err
	}
	for _, sh := range sheets {
		for _, c := range sh.columns {
			row++
			cellName, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cellName, []any{sh.name, c.header, c.def}); err != nil {
				return err
			}
		}
	}
	first, _ := excelize.CoordinatesToCellName(1, top)
	last, _ := excelize.CoordinatesToCellName(3, row)
	if err := sw.AddTable(&excelize.Table{Range: first + ":" + last, Name: "Definitions", StyleName: "TableStyleLight9"}); err != nil {
		return err
	}
	return sw.Flush()
}
