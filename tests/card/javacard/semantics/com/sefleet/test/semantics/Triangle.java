package com.sefleet.test.semantics;

final class Triangle extends Shape implements Named {
  Triangle() {
    super((short) 3);
  }

  short area() {
    return 6;
  }

  public short code() {
    return 3;
  }
}
