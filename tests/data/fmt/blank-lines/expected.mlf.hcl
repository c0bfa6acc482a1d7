

dataset "a" {


  source = "a.csv"



}



split "b" {
  dataset = dataset.a.id
}


