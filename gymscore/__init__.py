"""gymscore: element recognition and D-score estimation for women's artistic gymnastics."""

__version__ = "0.1.0"
