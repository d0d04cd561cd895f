# Independent known answers for tests/gp/unit/broadcast_known_answers.hpp (python3-cryptography, Debian 12).
# Not part of the build: run with /usr/bin/python3 and compare with the hex constants in that header.
from cryptography.hazmat.primitives.keywrap import aes_key_wrap
from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
h=lambda b: b.hex().upper()
kos128=bytes(range(0x00,0x10)); kos256=bytes(range(0x40,0x60))
bk_enc=bytes(range(0x10,0x20)); bk_mac=bytes(range(0x20,0x30))
bk256_enc=bytes(range(0x80,0xA0)); bk256_mac=bytes(range(0xA0,0xC0))
print("KW128", h(aes_key_wrap(kos128, bk_enc+bk_mac)))
print("KW256", h(aes_key_wrap(kos256, bk256_enc+bk256_mac)))
body=bytes(range(40)); name=b"wallet-1.2"
fields=(b"\x80\x04SEFI"+b"\x81\x01\x01"+b"\x82\x01\x02"+b"\x83\x08"+bytes(range(1,9))
  +b"\x84\x04\x00\x01\x02\x03"+b"\x85\x04"+len(body).to_bytes(4,'big')+b"\x86"+bytes([len(name)])+name)
ds=b"\xE0"+bytes([len(fields)])+fields+body
print("DATASEND", h(ds))
c=CMAC(algorithms.AES(bk_mac)); c.update(ds); mac=c.finalize()
print("CMAC", h(mac))
print("KWMAC", h(aes_key_wrap(kos128, mac)))
iv=bytes(range(0xF0,0x100))
for kos,label in ((kos128,"CBC128"),(kos256,"CBC256")):
  p=ds+b"\x80"; p+=b"\x00"*((-len(p))%16)
  e=Cipher(algorithms.AES(kos),modes.CBC(iv)).encryptor(); print(label, h(iv+e.update(p)+e.finalize()))
# a 32-byte DATASEND-sized input pads with a whole block
p=bytes(32)+b"\x80"+b"\x00"*15
e=Cipher(algorithms.AES(kos128),modes.CBC(iv)).encryptor(); print("CBC_FULLBLOCK", h(iv+e.update(p)+e.finalize()))
