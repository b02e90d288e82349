"""The FEEL grammar (lark, LALR). Multi-word built-in names are one token, ahead of NAME."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["grammar"]

_TEMPLATE = r"""
?start: expr

?expr: "if" expr "then" expr "else" expr                      -> if_expr
     | "for" iteration ("," iteration)* "return" expr          -> for_expr
     | "some" iteration ("," iteration)* "satisfies" expr      -> some_expr
     | "every" iteration ("," iteration)* "satisfies" expr     -> every_expr
     | "function" "(" [NAME ("," NAME)*] ")" expr              -> function_def
     | disjunction

iteration: NAME "in" disjunction
         | NAME "in" disjunction ".." disjunction             -> int_iteration

?disjunction: conjunction
            | disjunction "or" conjunction                     -> or_
?conjunction: comparison
            | conjunction "and" comparison                     -> and_
?comparison: additive
           | additive "=" additive                             -> eq
           | additive "!=" additive                            -> ne
           | additive "<" additive                             -> lt
           | additive "<=" additive                            -> le
           | additive ">" additive                             -> gt
           | additive ">=" additive                            -> ge
           | additive "between" additive "and" additive        -> between
           | additive "in" additive                            -> in_
           | additive "in" "(" expr "," expr ("," expr)* ")"   -> in_list
?additive: multiplicative
         | additive "+" multiplicative                         -> add
         | additive "-" multiplicative                         -> sub
?multiplicative: power
               | multiplicative "*" power                      -> mul
               | multiplicative "/" power                      -> div
?power: unary
      | power "**" unary                                       -> pow
?unary: postfix
      | "-" unary                                              -> neg
?postfix: primary
        | postfix "." NAME                                     -> path
        | postfix "[" expr "]"                                 -> filter
        | postfix "(" ")"                                      -> call
        | postfix "(" positional ")"                           -> call
        | postfix "(" named ")"                                -> call
positional: expr ("," expr)*
named: KEY expr ("," KEY expr)*
?primary: NUMBER                                               -> number
        | STRING                                               -> string
        | AT_STRING                                            -> temporal
        | "true"                                               -> true
        | "false"                                              -> false
        | "null"                                               -> null
        | NAME                                                 -> name
        | BUILTIN                                              -> name
        | "[" "]"                                              -> list
        | "[" expr ("," expr)* "]"                             -> list
        | "{" "}"                                              -> context
        | "{" entry ("," entry)* "}"                           -> context
        | "[" expr ".." expr "]"                               -> range_cc
        | "[" expr ".." expr ")"                               -> range_co
        | "(" expr ".." expr "]"                               -> range_oc
        | "(" expr ".." expr ")"                               -> range_oo
        | "(" expr ")"
entry: KEY expr
     | STRING ":" expr

KEY.3: /(?!\d)[\w$]+(?:[ \t]+(?!\d)[\w$]+)*[ \t]*:(?!=)/
BUILTIN.2: /(?:@@BUILTINS@@)(?=\s*\()/
NAME: /(?!\d)[\w$]+/
NUMBER: /\d+(?:\.\d+)?|\.\d+/
STRING: /"(?:[^"\\]|\\.)*"/
AT_STRING: /@"(?:[^"\\]|\\.)*"/
COMMENT: /\/\/[^\n]*/ | /\/\*(.|\n)*?\*\//

%ignore /\s+/
%ignore COMMENT
"""


def grammar(multi_word_names: Iterable[str]) -> str:
    """The grammar with the built-ins whose names contain spaces as the BUILTIN token."""
    names = sorted(multi_word_names, key=len, reverse=True)
    pattern = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in names)
    return _TEMPLATE.replace("@@BUILTINS@@", pattern.replace("/", r"\/"))
