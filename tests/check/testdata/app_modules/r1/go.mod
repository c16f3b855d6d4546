module example.com/r1

go 1.22

replace example.com/lib => ./lib
