package com.sefleet.test.semantics;

class Shape {
  short sides;

  Shape(short sides) {
    this.sides = sides;
  }

  short area() {
    return sides;
  }

  short describe() {
    return (short) (sides * 10);
  }
}
