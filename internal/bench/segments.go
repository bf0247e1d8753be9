package bench

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MaxSegments bounds how many k6 processes one machine runs side by side.
const MaxSegments = 16

// Segments are the k6 execution segments that split a test into n equal
// parts, and the sequence they come from: for n=2, "0:1/2" and "1/2:1"
// with the sequence "0,1/2,1". Every process of a split test gets the same
// sequence and its own segment (k6 docs, "Execution segment"), so together
// they run the whole test once, each with its share of VUs and iterations.
func Segments(n int) (segs []string, sequence string, err error) {
	if n < 1 || n > MaxSegments {
		return nil, "", fmt.Errorf("segments: want 1 to %d processes", MaxSegments)
	}
	points := make([]string, n+1)
	for i := range points {
		points[i] = fraction(i, n)
	}
	for i := range n {
		segs = append(segs, points[i]+":"+points[i+1])
	}
	return segs, strings.Join(points, ","), nil
}

// fraction writes i/n as k6 reads it: 0, 1, or i/n.
func fraction(i, n int) string {
	switch i {
	case 0:
		return "0"
	case n:
		return "1"
	}
	return fmt.Sprintf("%d/%d", i, n)
}

// PrefixWriter writes whole lines to W, each behind Prefix, so the output
// of processes run side by side stays readable. Safe for concurrent use
// when several share W through one mutex.
type PrefixWriter struct {
	W      io.Writer
	Prefix string
	Mu     *sync.Mutex
	buf    bytes.Buffer
}

// maxPartialLine bounds the unfinished line kept between writes.
const maxPartialLine = 64 << 10

func (p *PrefixWriter) Write(b []byte) (int, error) {
	p.buf.Write(b)
	for {
		line, err := p.buf.ReadBytes('\n')
		if err != nil { // no newline yet: keep it, within a bound
			p.buf.Reset()
			if len(line) > maxPartialLine {
				line = append(line, '\n')
			} else {
				p.buf.Write(line)
				return len(b), nil
			}
		}
		if p.Mu != nil {
			p.Mu.Lock()
		}
		_, werr := fmt.Fprintf(p.W, "%s%s", p.Prefix, line)
		if p.Mu != nil {
			p.Mu.Unlock()
		}
		if werr != nil {
			return len(b), werr
		}
	}
}

// Flush writes an unfinished last line.
func (p *PrefixWriter) Flush() error {
	if p.buf.Len() == 0 {
		return nil
	}
	line := append(p.buf.Bytes(), '\n')
	p.buf.Reset()
	if p.Mu != nil {
		p.Mu.Lock()
		defer p.Mu.Unlock()
	}
	_, err := fmt.Fprintf(p.W, "%s%s", p.Prefix, line)
	return err
}
