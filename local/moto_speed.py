"""moto's slow paths under load, made fast without changing a byte of any answer.

- DynamoDB items: moto 5.2 serializes every answer through the service model, and for each
  AttributeValue of an item (a volume record holds a few hundred, nested in maps) it tries each
  of the ten members (S, N, B, SS, NS, BS, M, L, NULL, BOOL) under four aliases to find the one
  the value holds. A GetItem of a volume record took about 6 ms of moto's CPU, an UpdateItem
  (ReturnValues ALL_NEW) 10 ms: more than half of moto's time in a load test. An AttributeValue
  arrives here as the wire's own dict ({"S": "…"}), so only the members it holds are serialized,
  each by the serializer's own method for its shape (blobs still base64-encoded, maps and lists
  still walked): the same answer, about three times faster. Any other value goes the usual way.
- DynamoDB transactions: before TransactWriteItems, moto deep-copies every table the
  transaction names, once per item, to roll back if one fails: 55 ms per transaction with a
  few hundred records, and growing with the table. For a table with a hash key only and no
  stream, the copy here shares the items the transaction does not touch and copies those it
  does (put, update and delete replace or change only those): the same rollback.
- Dispatch: for every request moto lists the response class's methods with inspect.getmembers
  to find the action's handler (about 1 ms, a tenth of moto's time under a provisioning load).
  A class's methods do not change once moto is completed, so the list is made once per class.
- Update expressions: an UpdateItem parses its UpdateExpression twice (the request's check and
  the model's), each time the same string to the same tree, which moto never changes (the
  validator works on a deep copy of it). A string parsed once is not parsed again; an
  expression that fails to parse fails each time, as before.
- EC2 tags: moto reads one resource's tags (get_tags, for a tag filter or an answer's tagSet)
  by running every tag of every EC2 resource through a regular expression built from the
  resource's id. DescribeSecurityGroups with a tag filter does that once per group: with the
  160 groups of three 50-volume rounds a call took 100 ms of moto's CPU (2 ms with 3 groups),
  and it grew with every volume. One resource id without a wildcard is looked up in the tag
  table directly: the same tags, in the same order. Any other filter goes the usual way.
- Routing: for every request moto finds the service by matching the host it infers against
  each backend's URL patterns (hundreds of regular expressions), about 0.7 ms. The answer
  depends on the host alone, so it is remembered per host (a host no backend serves is asked
  again each time, as before).
"""

import copy

import moto.core.responses as core_responses
import moto.dynamodb.models as dynamodb_models
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.ec2.models.tags import TagBackend
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix
from moto.moto_server.werkzeug_app import DomainDispatcherApplication


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

    transact_write_items = DynamoDBBackend.transact_write_items

    def transact_with_light_copies(self, transact_items):
        touched = {}
        for item in transact_items:
            _, op = next(iter(item.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None or table.range_key_attr is not None or table.stream_shard:
                continue
            key = op.get("Item") if "Item" in op else op.get("Key")
            value = (key or {}).get(table.hash_key_attr)
            if value is not None:
                touched.setdefault(id(table), set()).add(DynamoType(value))

        class LightCopy:
            @staticmethod
            def deepcopy(value, *args):
                keys = touched.get(id(value)) if isinstance(value, Table) else None
                if keys is None:
                    return copy.deepcopy(value, *args)
                snapshot = copy.copy(value)
                snapshot.items = dict(value.items)
                for key in keys:
                    if key in snapshot.items:
                        snapshot.items[key] = copy.deepcopy(snapshot.items[key])
                return snapshot

        dynamodb_models.copy = LightCopy
        try:
            return transact_write_items(self, transact_items)
        finally:
            dynamodb_models.copy = copy

    DynamoDBBackend.transact_write_items = transact_with_light_copies

    backend_for_host = DomainDispatcherApplication.get_backend_for_host
    backends_by_host = {}

    def remembered_backend_for_host(self, host):
        backend = backends_by_host.get(host)
        if backend is None:
            backend = backend_for_host(self, host)
            if backend is not None:
                backends_by_host[host] = backend
        return backend

    DomainDispatcherApplication.get_backend_for_host = remembered_backend_for_host

    method_names_from_class = core_responses.method_names_from_class
    method_names_by_class = {}

    def remembered_method_names(clazz):
        names = method_names_by_class.get(clazz)
        if names is None:
            names = method_names_from_class(clazz)
            method_names_by_class[clazz] = names
        # A copy, as the original returns a new list on every call.
        return list(names)

    core_responses.method_names_from_class = remembered_method_names

    make_update_expression = UpdateExpressionParser.make.__func__
    parsed_update_expressions = {}

    def make_once(cls, expression_str):
        key = (cls, expression_str)
        tree = parsed_update_expressions.get(key)
        if tree is None:
            tree = make_update_expression(cls, expression_str)
            # Expressions are templates with placeholders: few; a bound all the same.
            if len(parsed_update_expressions) < 10_000:
                parsed_update_expressions[key] = tree
        return tree

    UpdateExpressionParser.make = classmethod(make_once)

    describe_tags = TagBackend.describe_tags

    def describe_tags_of_one(self, filters=None):
        ids = filters.get("resource-id") if isinstance(filters, dict) and len(filters) == 1 else None
        if not (isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str)) or any(
            wildcard in ids[0] for wildcard in "*?["
        ):
            return describe_tags(self, filters)
        resource_id = ids[0]
        resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
        return [
            {
                "resource_id": resource_id,
                "key": key,
                "value": value,
                "resource_type": resource_type,
            }
            for key, value in self.tags.get(resource_id, {}).copy().items()
        ]

    TagBackend.describe_tags = describe_tags_of_one
