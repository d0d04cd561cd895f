package com.sefleet.test.semantics;

final class Square extends Shape implements Named {
  Square(short side) {
    super((short) 4);
    this.side = side;
  }

  private final short side;

  short area() {
    return (short) (side * side);
  }

  public short code() {
    return side;
  }

  short describe() {
    return (short) (super.describe() + side);
  }
}
