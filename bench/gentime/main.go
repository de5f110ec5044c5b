// Command gentime times a command over several runs and prints the median
// wall time, user and system CPU time and peak RSS. bench/gen.sh runs
// `regstack gen` through it; the figures come from the kernel's rusage of
// each child, so they are exact to the microsecond where time(1) rounds to
// centiseconds.
//
//	go run ./bench/gentime [-n runs] [-fresh dir] -- command args...
//
// With -fresh, dir is removed before every run, so each run writes into a
// fresh folder.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

func main() {
	runs := flag.Int("n", 9, "number of runs")
	fresh := flag.String("fresh", "", "folder to remove before every run")
	flag.Parse()
	if flag.NArg() == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: gentime [-n runs] [-fresh dir] -- command args...")
		os.Exit(2)
	}
	var wall, user, sys []time.Duration
	var rss []int64
	for range *runs {
		if *fresh != "" {
			if err := os.RemoveAll(*fresh); err != nil {
				fail(err)
			}
		}
		cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fail(fmt.Errorf("%s: %w", flag.Arg(0), err))
		}
		wall = append(wall, time.Since(start))
		user = append(user, cmd.ProcessState.UserTime())
		sys = append(sys, cmd.ProcessState.SystemTime())
		// Linux reports ru_maxrss in KiB.
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = append(rss, ru.Maxrss)
		}
	}
	fmt.Printf("runs=%d wall_median=%s user_median=%s sys_median=%s", *runs, ms(median(wall)), ms(median(user)), ms(median(sys)))
	if len(rss) > 0 {
		fmt.Printf(" peak_rss=%dKiB", slices.Max(rss))
	}
	fmt.Printf(" wall_min=%s wall_max=%s\n", ms(slices.Min(wall)), ms(slices.Max(wall)))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gentime:", err)
	os.Exit(1)
}
