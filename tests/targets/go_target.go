// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
//
// A Go target for the modes that place uprobes.  It waits for SIGUSR1 (sent
// once the profiler traces), or starts at once with --now, then runs
// main.work exactly 1000 times, each on a new goroutine that recurses deep
// enough to make the runtime grow (copy) its stack: a return probe pending
// in a copied stack kills a Go program with "unknown caller pc".
// main.work calls main.deep 96020 times in all (64 + i%64 + 1 for call i).
// Then main.nap 50 times (a 2 ms sleep: the goroutine parks and may resume
// on another thread), printing the longest as its caller measured it
// ("nap_max_ns N"), and main.panicky 101 times, of which the 50 odd calls
// panic (recovered by the caller) and 51 return (the last one even, so
// that a call after each panic shows the panicked one ended).  With --loop it repeats
// all that forever; otherwise it prints "done N" and exits 0.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const calls = 1000

//go:noinline
func deep(n int) int {
	var pad [512]byte
	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%len(pad)])
}

//go:noinline
func work(i int) int {
	return deep(64 + i%64)
}

func round() int {
	sum := 0
	done := make(chan int)
	for i := 0; i < calls; i++ {
		go func(i int) { done <- work(i) }(i)
		sum += <-done
	}
	return sum
}

//go:noinline
func nap() {
	time.Sleep(2 * time.Millisecond)
}

//go:noinline
func panicky(i int) int {
	if i%2 == 1 {
		panic(fmt.Sprint("odd ", i))
	}
	return i
}

func naps() time.Duration {
	var longest time.Duration
	for i := 0; i < 50; i++ {
		t0 := time.Now()
		nap()
		if d := time.Since(t0); d > longest {
			longest = d
		}
	}
	return longest
}

func panics() int {
	sum := 0
	for i := 0; i <= 100; i++ {
		func() {
			defer func() { recover() }()
			sum += panicky(i)
		}()
	}
	return sum
}

func main() {
	now, loop := false, false
	for _, a := range os.Args[1:] {
		switch a {
		case "--now":
			now = true
		case "--loop":
			loop = true
		default:
			fmt.Fprintln(os.Stderr, "usage: go_target [--now] [--loop]")
			os.Exit(2)
		}
	}
	if !now {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1)
		<-c
	}
	for {
		sum := round()
		longest := naps()
		sum += panics()
		if !loop {
			fmt.Println("nap_max_ns", longest.Nanoseconds())
			fmt.Println("done", sum)
			return
		}
	}
}
