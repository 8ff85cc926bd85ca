"""moto's slow paths under load, made fast without changing a byte of any answer.

- DynamoDB items: moto 5.2 serializes every answer through the service model, and for each
  AttributeValue of an item (a volume record holds a few hundred, nested in maps) it tries each
  of the ten members (S, N, B, SS, NS, BS, M, L, NULL, BOOL) under four aliases to find the one
  the value holds. A GetItem of a volume record took about 6 ms of moto's CPU, an UpdateItem
  (ReturnValues ALL_NEW) 10 ms: more than half of moto's time in a load test. An AttributeValue
  arrives here as the wire's own dict ({"S": "…"}), so only the members it holds are serialized,
  each by the serializer's own method for its shape (blobs still base64-encoded, maps and lists
  still walked): the same answer, about three times faster. Any other value goes the usual way.
"""

from moto.core.serialize import BaseJSONSerializer


def speed_up_moto():
    serialize_structure = BaseJSONSerializer._serialize_type_structure

    def serialize_structure_fast(self, serialized, value, shape, key):
        if (
            shape.name == "AttributeValue"
            and type(value) is dict
            and not getattr(self._value_picker, "response_transformers", None)
        ):
            members = shape.members
            wrapper = self.MAP_TYPE() if key else serialized
            for member_key, member_value in value.items():
                member_shape = members.get(member_key)
                # An unknown member: the usual path decides (it leaves it out).
                if member_shape is None:
                    return serialize_structure(self, serialized, value, shape, key)
                if member_value is not None:
                    member_shape.parent = shape
                    self._serialize(wrapper, member_value, member_shape, member_key)
            if key:
                self._default_serialize(serialized, wrapper, shape, key)
            return None
        return serialize_structure(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = serialize_structure_fast
