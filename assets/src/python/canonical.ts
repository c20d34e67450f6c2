/**
 * How a function test's values compare, the same wherever a test runs (a
 * student's visible tests, the author's model solutions, grading): by a
 * canonical text made by exact type, with a set's items and a dict's pairs
 * sorted, so equal values compare equal whatever order they were built in.
 * A value of any other type (an object whose `__eq__` always answers True,
 * a subclass of int with its own `__repr__`) has no canonical form and
 * matches nothing.
 *
 * Python source defining `_examhall_canonical(type, repr, len, sorted)`,
 * which returns `(canon, Opaque)` built from the builtins it is given:
 * grading passes the ones it captured before any student's code ran.
 */
export const CANONICAL = `
def _examhall_canonical(_type, _repr, _len, _sorted):
    _plain = (int, float, complex, str, bytes, bool, type(None))

    class Opaque(Exception):
        """A value of a type with no canonical form: it matches nothing."""

    def canon(value, depth=0):
        kind = _type(value)
        if depth > 100:
            raise ValueError("a value nested more than 100 deep")
        if kind in _plain:
            return _repr(value)
        if kind is list:
            return "[" + ", ".join([canon(item, depth + 1) for item in value]) + "]"
        if kind is tuple:
            items = [canon(item, depth + 1) for item in value]
            return "(" + ", ".join(items) + ("," if _len(items) == 1 else "") + ")"
        if kind is dict:
            # Equal dicts are equal whatever order their keys went in.
            pairs = _sorted([canon(k, depth + 1) + ": " + canon(v, depth + 1) for k, v in value.items()])
            return "{" + ", ".join(pairs) + "}"
        if kind is set or kind is frozenset:
            items = _sorted([canon(item, depth + 1) for item in value])
            name = "set" if kind is set else "frozenset"
            return name + "({" + ", ".join(items) + "})" if items else name + "()"
        raise Opaque(kind.__qualname__)

    return canon, Opaque
`;
