dataset "x" {
	source = "x.csv"
		format	=	"csv"
}
