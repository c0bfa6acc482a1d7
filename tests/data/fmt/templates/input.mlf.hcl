locals {
  greeting = "Hello, ${ var.name }!"
  list = "%{ for x in var.items }${ x },%{ endfor }"
  cond = "%{if var.debug}debug%{else}release%{endif}"
  strip = "${~ var.a ~}"
  escaped = "$${literal} and %%{literal} and \"quotes\" and \\ backslash"
  nested = "outer ${ "inner ${ var.x }" } done"
  object_interp = "${ { a = 1 }.a }"
  math = "${ 1+2*3 }"
  dollar = "cost: $5 and 50%"
}
