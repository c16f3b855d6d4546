module example.com/bad

go 1.22

require example.com/x
