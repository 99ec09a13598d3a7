package demo

import (
	"math/rand/v2"
	"strings"
)

// The people in the demo referrals have synthesised names: each is built from invented syllables by
// the seeded generator, never drawn from a list of real first names or surnames. A combination may
// happen to spell a real name; none is chosen for being one.
var (
	nameOnsets    = []string{"B", "Br", "C", "D", "Dr", "F", "G", "H", "J", "K", "Kr", "L", "M", "N", "P", "Pr", "R", "S", "St", "T", "Th", "V", "W", "Z"}
	nameVowels    = []string{"a", "e", "i", "o", "u", "ae", "ai", "ei", "io", "ou", "y"}
	nameMiddles   = []string{"l", "n", "r", "v", "m", "s", "d", "th", "nd", "rl", "lv", "rv", "sk", "nt", "ll", "z"}
	femaleEndings = []string{"a", "ella", "ina", "ette", "ra", "ia", "ys", "wen", "ine", "essa", "ie", "ona"}
	maleEndings   = []string{"an", "or", "ic", "en", "us", "as", "o", "ek", "iel", "ard", "in", "al"}
	surnameTails  = []string{"ford", "well", "by", "more", "wick", "ton", "ley", "holm", "ett", "ard", "combe", "stead", "ham", "er", "ings", "ock"}
)

func pickString(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// synthFirstName builds a first name from an onset, a vowel, an optional middle and an ending.
func synthFirstName(r *rand.Rand, female bool) string {
	var b strings.Builder
	b.WriteString(pickString(r, nameOnsets))
	b.WriteString(pickString(r, nameVowels))
	if r.IntN(3) > 0 {
		b.WriteString(pickString(r, nameMiddles))
	}
	if female {
		b.WriteString(pickString(r, femaleEndings))
	} else {
		b.WriteString(pickString(r, maleEndings))
	}
	return tidyName(b.String())
}

// synthSurname builds a surname from one or two invented syllables and a tail.
func synthSurname(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(pickString(r, nameOnsets))
	b.WriteString(pickString(r, nameVowels))
	b.WriteString(pickString(r, nameMiddles))
	if r.IntN(3) == 0 {
		b.WriteString(pickString(r, nameVowels))
		b.WriteString(pickString(r, nameMiddles))
	}
	b.WriteString(pickString(r, surnameTails))
	return tidyName(b.String())
}

// tidyName drops a doubled vowel where a syllable meets an ending that starts with the same letter
// ("Kaa..." reads badly) and caps the length at 14 characters.
func tidyName(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, c := range s {
		if c == prev && strings.ContainsRune("aeiouy", c) {
			continue
		}
		b.WriteRune(c)
		prev = c
	}
	out := b.String()
	if len(out) > 14 {
		out = out[:14]
	}
	return out
}
