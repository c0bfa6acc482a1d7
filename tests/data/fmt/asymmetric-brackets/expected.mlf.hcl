locals {
  a = [{
    b = 1
    }, {
    b = 2
  }]
  c = foo({
    d = 1
  })
}
