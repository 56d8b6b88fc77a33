"""Polls in the live room: the advisor's quick question, the pupils' answers (a classroom computer
answers for the pupils behind it, or its tutor enters how many chose each option), the results."""
