module example.com/r2

go 1.22

replace example.com/lib => ./lib
