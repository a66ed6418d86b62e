import pytest

from service.domain.credit_code import check_character, credit_code_problem


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", "911100007109288314"])
def test_published_codes_are_valid(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "complaint"),
    [
        ("9135010", "18 characters"),
        ("91350100M000100YI3", "'I'"),
        ("9135AB00M000100Y43", "region code"),
        ("91350100M000100Y44", "should be '3'"),
    ],
)
def test_invalid_codes_say_why(code, complaint):
    assert complaint in credit_code_problem(code)


def test_every_single_character_typo_is_caught():
    code = "91110000802100433B"
    for position in range(17):
        for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if replacement != code[position]:
                typo = code[:position] + replacement + code[position + 1 :]
                assert check_character(typo[:17]) != typo[17] or not typo[2:8].isdigit()
