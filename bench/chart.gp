# Throughput and p99 latency against concurrency: the API (all-in-one) vs the pgbench ceiling of its own write transaction.
# Called by bench/run.sh:  gnuplot -e "datafile='...'; outfile='...'" bench/chart.gp
set terminal pngcairo size 1200,520 font "sans,10"
set output outfile
set multiplot layout 1,2 title "payments API vs pgbench ceiling (api-write.sql), 2 cores"
set logscale x 2
set xtics (1, 8, 32, 128)
set xrange [0.8:160]
set grid
set key top left
set xlabel "concurrent clients"
set ylabel "per second (log scale)"
set logscale y 10
set title "Throughput"
plot datafile using 1:4 with linespoints lw 2 pt 7 title "pgbench TPS (ceiling)", \
     datafile using 1:2 with linespoints lw 2 pt 5 title "API 201/s", \
     datafile using 1:6 with linespoints lw 2 pt 9 title "end-to-end terminal/s (all-in-one)"
set title "p99 latency"
set ylabel "ms"
plot datafile using 1:5 with linespoints lw 2 pt 7 title "pgbench p99", \
     datafile using 1:3 with linespoints lw 2 pt 5 title "API p99 (POST /payments)", \
     25 with lines dt 2 lc rgb "red" title "target at 32 clients: 25 ms"
unset multiplot
