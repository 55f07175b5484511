"""Official NHS and ONS reference files, read as published, turned into practices and areas.

Each file is recognised by its header (or, for the headerless ODS extract, its shape), read
row by row with every row accepted or rejected with a reason, and combined into the contract
``practices`` and ``areas`` tables plus the practice × LSOA registered-patient shares.
"""
