"""An ES5 syntax check: parse with esprima (which knows newer syntax) and refuse anything past ES5."""

from __future__ import annotations

from typing import Any

import esprima

# Node types that exist in ES5.1; everything else (classes, arrows, templates, spread …) is newer.
ES5_NODES = {
    "Program",
    "ExpressionStatement",
    "BlockStatement",
    "EmptyStatement",
    "DebuggerStatement",
    "WithStatement",
    "ReturnStatement",
    "LabeledStatement",
    "BreakStatement",
    "ContinueStatement",
    "IfStatement",
    "SwitchStatement",
    "SwitchCase",
    "ThrowStatement",
    "TryStatement",
    "CatchClause",
    "WhileStatement",
    "DoWhileStatement",
    "ForStatement",
    "ForInStatement",
    "FunctionDeclaration",
    "VariableDeclaration",
    "VariableDeclarator",
    "ThisExpression",
    "ArrayExpression",
    "ObjectExpression",
    "Property",
    "FunctionExpression",
    "SequenceExpression",
    "UnaryExpression",
    "BinaryExpression",
    "AssignmentExpression",
    "UpdateExpression",
    "LogicalExpression",
    "ConditionalExpression",
    "CallExpression",
    "NewExpression",
    "MemberExpression",
    "StaticMemberExpression",
    "ComputedMemberExpression",
    "Identifier",
    "Literal",
    "Directive",
}


def es5_violations(source: str) -> list[str]:
    """Each construct newer than ES5 in ``source``, as 'line N: what'."""
    tree = esprima.parseScript(source, {"loc": True})
    found: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not hasattr(node, "type"):
            return
        line = node.loc.start.line if getattr(node, "loc", None) else "?"
        if node.type not in ES5_NODES:
            found.append(f"line {line}: {node.type}")
        elif node.type == "VariableDeclaration" and node.kind != "var":
            found.append(f"line {line}: {node.kind}")
        elif node.type == "Property" and (node.shorthand or node.method or node.computed):
            found.append(f"line {line}: shorthand, method or computed property")
        elif node.type == "Literal" and getattr(node, "regex", None) and set(node.regex.flags) - set("gim"):
            found.append(f"line {line}: regex flags {node.regex.flags}")
        elif node.type in ("FunctionDeclaration", "FunctionExpression") and (node.generator or node.isAsync):
            found.append(f"line {line}: generator or async function")
        for key, value in vars(node).items():
            if key not in ("loc", "range", "regex"):
                visit(value)

    visit(tree)
    return found
