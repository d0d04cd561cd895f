package com.sefleet.test.semantics;

final class MyException extends RuntimeException {
  MyException() {}
}
