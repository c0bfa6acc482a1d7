
foo(
1,
- 2,
a*b,
b,
c,
)
